/** Shared shapes of the wire (SPEC §1.3) for `toEqual` bodies: every suite means the same by "an id" or "a timestamp". */
export const ISO_TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Any §1.3 timestamp: UTC, exactly three fractional digits. */
export const anIsoTimestamp = (): unknown => expect.stringMatching(ISO_TIMESTAMP_RE);
/** Any lower-case canonical UUID. */
export const aUuid = (): unknown => expect.stringMatching(UUID_RE);

/** The default agent-key permissions exactly as the wire lists them (SPEC §1.8 order), spelled out on purpose. */
export const DEFAULT_AGENT_PERMISSIONS_WIRE = [
  'events:read',
  'funnels:read',
  'funnels:write',
  'apps:read',
  'apps:write',
  'projects:read',
  'projects:write',
  'metrics:read',
  'metrics:write',
  'audit_logs:read',
];
