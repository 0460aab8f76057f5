import { EventRow } from './events.repository';

/** §2.0 Event. Every field present; unsupplied strings and maps are null. */
export interface EventResponse {
  id: string;
  app_id: string;
  client_event_id: string | null;
  session_id: string;
  user_id: string | null;
  api_key_id: string | null;
  level: string;
  source_module: string | null;
  message: string;
  screen_name: string | null;
  custom_attributes: Record<string, string> | null;
  environment: string | null;
  os_version: string | null;
  app_version: string | null;
  build_number: string | null;
  device_model: string | null;
  locale: string | null;
  is_dev: boolean;
  experiments: Record<string, string> | null;
  timestamp: string;
  received_at: string;
}

export interface EventPageResponse {
  events: EventResponse[];
  cursor: string | null;
  has_more: boolean;
}

export interface IngestError {
  index: number;
  message: string;
}

/** `errors` only when something was rejected (§2.7). */
export interface IngestResponse {
  accepted: number;
  rejected: number;
  errors?: IngestError[];
}

export interface IdentityClaimResponse {
  claimed: true;
  events_reassigned_count: number;
}

export const toEventResponse = (e: EventRow): EventResponse => ({
  id: e.id,
  app_id: e.appId,
  client_event_id: e.clientEventId,
  session_id: e.sessionId,
  user_id: e.userId,
  api_key_id: e.apiKeyId,
  level: e.level,
  source_module: e.sourceModule,
  message: e.message,
  screen_name: e.screenName,
  custom_attributes: e.customAttributes,
  environment: e.environment,
  os_version: e.osVersion,
  app_version: e.appVersion,
  build_number: e.buildNumber,
  device_model: e.deviceModel,
  locale: e.locale,
  is_dev: e.isDev,
  experiments: e.experiments,
  timestamp: e.timestamp.toISOString(),
  received_at: e.receivedAt.toISOString(),
});

export const toIngestResponse = (accepted: number, errors: IngestError[]): IngestResponse =>
  errors.length > 0 ? { accepted, rejected: errors.length, errors } : { accepted, rejected: 0 };
