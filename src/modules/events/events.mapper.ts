import { EventRow } from './events.repository';
import { EventResponse } from './events.types';

export type { EventResponse } from './events.types';

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
