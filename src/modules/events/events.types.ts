/**
 * The wire shape of an event (§2.0 Event), shared by the mapper (single events) and the repository, whose list query
 * selects rows already in this shape (GET /v1/events needs no mapping step).
 */
/** Every field present; unsupplied strings and maps are null. */
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
