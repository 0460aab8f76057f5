import { parseTimestamp } from '../../common/http/timestamp';
import { isUuid } from '../../common/http/uuid';

/**
 * Per-event ingest rules (SPEC §2.7 table, §1.11 "Ingest field types"). Runs for every event of every
 * batch, so it is plain code: no class-validator, no reflection, few allocations. Only the first failing
 * check per event is reported, as `events[<i>]: <problem>` together with the field it failed on.
 *
 * "Missing" follows §1.2: a field that is absent, `null` or `""` counts as not supplied, for every field.
 * Only own properties are read, so an inherited `constructor`/`toString` never looks like a field.
 * Text PostgreSQL cannot store (U+0000, lone surrogates) was already replaced by the JSON parser (body-handling.ts).
 */

export type Platform = 'apple' | 'android' | 'web' | 'backend';

export const PLATFORM_ENVIRONMENTS: Record<Platform, readonly string[]> = Object.freeze({
  apple: Object.freeze(['ios', 'ipados', 'macos']),
  android: Object.freeze(['android']),
  web: Object.freeze(['web']),
  backend: Object.freeze(['backend']),
});

export type EventLevel = 'info' | 'debug' | 'warn' | 'error';

export interface NormalizedEvent {
  clientEventId: string | null;
  sessionId: string;
  userId: string | null;
  level: EventLevel;
  sourceModule: string | null;
  message: string;
  screenName: string | null;
  customAttributes: Record<string, string> | null;
  environment: string | null;
  osVersion: string | null;
  appVersion: string | null;
  buildNumber: string | null;
  deviceModel: string | null;
  locale: string | null;
  isDev: boolean;
  experiments: Record<string, string> | null;
  timestamp: Date;
}

/**
 * The field a rejected event failed on (`event` when it is not an object at all): the label of the
 * rejection metric, and the word the problem text starts with.
 */
export type EventField =
  | 'event'
  | 'message'
  | 'level'
  | 'session_id'
  | 'timestamp'
  | 'environment'
  | 'client_event_id'
  | OptionalStringField
  | 'is_dev'
  | 'custom_attributes'
  | 'experiments';

export type EventRejection = { ok: false; message: string; field: EventField };

export type EventValidationResult = { ok: true; event: NormalizedEvent } | EventRejection;

export const MAX_MESSAGE_CHARS = 10_000;
export const MAX_FIELD_CHARS = 512;
export const MAX_MAP_KEYS = 50;
export const MAX_MAP_KEY_CHARS = 100;
export const MAX_ATTRIBUTE_VALUE_CHARS = 200;
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_PAST_MS = 30 * 24 * 60 * 60_000;

/** Problem texts of the §2.7 table, shared with the tests. */
export const EVENT_ERRORS = {
  notObject: 'event must be an object',
  messageRequired: 'message is required and must be a string',
  messageTooLong: `message must be at most ${MAX_MESSAGE_CHARS} characters`,
  level: 'level must be one of info, debug, warn, error',
  sessionIdRequired: 'session_id is required and must be a string',
  sessionIdUuid: 'session_id must be a valid UUID',
  timestampInvalid: 'timestamp must be a valid ISO 8601 date',
  timestampFuture: 'timestamp cannot be more than 5 minutes in the future',
  timestampPast: 'timestamp cannot be more than 30 days in the past',
  environmentType: 'environment must be a string',
  environmentNotAllowed: (value: string, platform: Platform): string => {
    const allowed = PLATFORM_ENVIRONMENTS[platform].join(', ');
    return `environment "${value}" is not allowed for ${platform} apps (allowed: ${allowed})`;
  },
  clientEventId: 'client_event_id must be a valid UUID',
  fieldType: (field: string): string => `${field} must be a string`,
  fieldTooLong: (field: string): string => `${field} must be at most ${MAX_FIELD_CHARS} characters`,
  isDev: 'is_dev must be a boolean',
  attributesType: 'custom_attributes must be an object',
  attributesKeyCount: `custom_attributes must have at most ${MAX_MAP_KEYS} keys`,
  attributesKeyLength: `custom_attributes keys must be at most ${MAX_MAP_KEY_CHARS} characters`,
  attributesValue: 'custom_attributes values must be strings, numbers or booleans',
  experimentsType: 'experiments must be an object',
  experimentsKeyCount: `experiments must have at most ${MAX_MAP_KEYS} keys`,
  experimentsKeyLength: `experiments keys must be at most ${MAX_MAP_KEY_CHARS} characters`,
  experimentsValue: `experiments values must be strings of at most ${MAX_FIELD_CHARS} characters`,
} as const;

const LEVELS: ReadonlySet<string> = new Set<EventLevel>(['info', 'debug', 'warn', 'error']);

// ---------------------------------------------------------------------------------------------------------
// Code-point helpers. "Characters" are Unicode code points (§1.2); a lone surrogate counts as one, as
// `[...s].length` does. A UTF-16 length within the limit can never exceed it in code points, so the
// common case costs one comparison.
// ---------------------------------------------------------------------------------------------------------

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Number of Unicode code points in `s`. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) i++;
    n++;
  }
  return n;
}

/** True when `s` has more than `max` code points. */
export function exceedsCodePoints(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true; // even all-astral text would exceed
  return codePointLength(s) > max;
}

/** The first `max` code points of `s` (never splits a surrogate pair). */
export function truncateCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  let i = 0;
  for (let n = 0; n < max && i < s.length; n++) {
    i += isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i >= s.length ? s : s.slice(0, i);
}

// ---------------------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/**
 * Keys the JSON parser must already have dropped (§1.2): `__proto__`, and `constructor` holding a
 * `prototype`. Skipped here too, so a map built from an unfiltered parse still cannot carry them — and
 * since `__proto__` never reaches the output, plain assignment below only ever creates own properties.
 */
function isPoisonKey(key: string, value: unknown): boolean {
  return key === '__proto__' || (key === 'constructor' && isPlainObject(value) && Object.hasOwn(value, 'prototype'));
}

const OPTIONAL_STRING_FIELDS = [
  'user_id',
  'source_module',
  'screen_name',
  'os_version',
  'app_version',
  'build_number',
  'device_model',
  'locale',
] as const;

type OptionalStringField = (typeof OPTIONAL_STRING_FIELDS)[number];

type MapResult = { ok: true; value: Record<string, string> | null } | { ok: false; problem: string };

function validateCustomAttributes(raw: unknown): MapResult {
  if (isMissing(raw)) return { ok: true, value: null };
  if (!isPlainObject(raw)) return { ok: false, problem: EVENT_ERRORS.attributesType };
  const keys = Object.keys(raw);
  if (keys.length > MAX_MAP_KEYS && countKeptKeys(raw, keys) > MAX_MAP_KEYS) {
    return { ok: false, problem: EVENT_ERRORS.attributesKeyCount };
  }
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = raw[key];
    if (isPoisonKey(key, value)) continue;
    if (exceedsCodePoints(key, MAX_MAP_KEY_CHARS)) return { ok: false, problem: EVENT_ERRORS.attributesKeyLength };
    switch (typeof value) {
      case 'string':
        out[key] = truncateCodePoints(value, MAX_ATTRIBUTE_VALUE_CHARS);
        break;
      case 'number':
        // JSON has no NaN/Infinity; an untyped caller handing one in gets the values error, not "null".
        if (!Number.isFinite(value)) return { ok: false, problem: EVENT_ERRORS.attributesValue };
        out[key] = String(value); // same text as JSON.stringify for finite numbers
        break;
      case 'boolean':
        out[key] = value ? 'true' : 'false';
        break;
      default:
        if (value === null) break; // null entries are dropped
        return { ok: false, problem: EVENT_ERRORS.attributesValue };
    }
  }
  return { ok: true, value: out };
}

function validateExperiments(raw: unknown): MapResult {
  if (isMissing(raw)) return { ok: true, value: null };
  if (!isPlainObject(raw)) return { ok: false, problem: EVENT_ERRORS.experimentsType };
  const keys = Object.keys(raw);
  if (keys.length > MAX_MAP_KEYS && countKeptKeys(raw, keys) > MAX_MAP_KEYS) {
    return { ok: false, problem: EVENT_ERRORS.experimentsKeyCount };
  }
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = raw[key];
    if (isPoisonKey(key, value)) continue;
    if (exceedsCodePoints(key, MAX_MAP_KEY_CHARS)) return { ok: false, problem: EVENT_ERRORS.experimentsKeyLength };
    if (typeof value !== 'string' || exceedsCodePoints(value, MAX_FIELD_CHARS)) {
      return { ok: false, problem: EVENT_ERRORS.experimentsValue };
    }
    out[key] = value;
  }
  return { ok: true, value: out };
}

/** Key count without the keys the parser should have dropped (only computed past the limit). */
function countKeptKeys(obj: JsonObject, keys: string[]): number {
  let n = 0;
  for (const key of keys) if (!isPoisonKey(key, obj[key])) n++;
  return n;
}

function fail(index: number, field: EventField, problem: string): EventRejection {
  return { ok: false, message: `events[${index}]: ${problem}`, field };
}

/**
 * Validates and normalises one event of an ingest batch, checking the §2.7 rules in table order (1–16).
 * `now` is the server receive time: the default `timestamp` (the same Date instance is returned) and the
 * reference point of the ±window.
 */
export function validateEvent(raw: unknown, index: number, platform: Platform, now: Date): EventValidationResult {
  // 1
  if (!isPlainObject(raw)) return fail(index, 'event', EVENT_ERRORS.notObject);

  // 2, 3
  const message = own(raw, 'message');
  if (typeof message !== 'string' || message === '') return fail(index, 'message', EVENT_ERRORS.messageRequired);
  if (exceedsCodePoints(message, MAX_MESSAGE_CHARS)) return fail(index, 'message', EVENT_ERRORS.messageTooLong);

  // 4 (case-sensitive; absent, null, "" and non-strings all get this text)
  const level = own(raw, 'level');
  if (typeof level !== 'string' || !LEVELS.has(level)) return fail(index, 'level', EVENT_ERRORS.level);

  // 5, 6
  const sessionId = own(raw, 'session_id');
  if (typeof sessionId !== 'string' || sessionId === '') return fail(index, 'session_id', EVENT_ERRORS.sessionIdRequired);
  if (!isUuid(sessionId)) return fail(index, 'session_id', EVENT_ERRORS.sessionIdUuid);

  // 7, 8, 9
  const rawTimestamp = own(raw, 'timestamp');
  let timestamp = now;
  if (!isMissing(rawTimestamp)) {
    const parsed = parseTimestamp(rawTimestamp);
    if (parsed === null) return fail(index, 'timestamp', EVENT_ERRORS.timestampInvalid);
    const t = parsed.getTime();
    const nowMs = now.getTime();
    if (t > nowMs + MAX_FUTURE_MS) return fail(index, 'timestamp', EVENT_ERRORS.timestampFuture);
    if (t < nowMs - MAX_PAST_MS) return fail(index, 'timestamp', EVENT_ERRORS.timestampPast);
    timestamp = parsed;
  }

  // 10, 11
  const rawEnvironment = own(raw, 'environment');
  let environment: string | null = null;
  if (!isMissing(rawEnvironment)) {
    if (typeof rawEnvironment !== 'string') return fail(index, 'environment', EVENT_ERRORS.environmentType);
    if (!PLATFORM_ENVIRONMENTS[platform].includes(rawEnvironment)) {
      return fail(index, 'environment', EVENT_ERRORS.environmentNotAllowed(rawEnvironment, platform));
    }
    environment = rawEnvironment;
  }

  // 12
  const rawClientEventId = own(raw, 'client_event_id');
  let clientEventId: string | null = null;
  if (!isMissing(rawClientEventId)) {
    if (!isUuid(rawClientEventId)) return fail(index, 'client_event_id', EVENT_ERRORS.clientEventId);
    clientEventId = rawClientEventId.toLowerCase();
  }

  // 13, field by field in the table's order
  const strings: Record<OptionalStringField, string | null> = {
    user_id: null,
    source_module: null,
    screen_name: null,
    os_version: null,
    app_version: null,
    build_number: null,
    device_model: null,
    locale: null,
  };
  for (const field of OPTIONAL_STRING_FIELDS) {
    const value = own(raw, field);
    if (isMissing(value)) continue;
    if (typeof value !== 'string') return fail(index, field, EVENT_ERRORS.fieldType(field));
    if (exceedsCodePoints(value, MAX_FIELD_CHARS)) return fail(index, field, EVENT_ERRORS.fieldTooLong(field));
    strings[field] = value;
  }

  // 14
  const rawIsDev = own(raw, 'is_dev');
  let isDev = false;
  if (!isMissing(rawIsDev)) {
    if (typeof rawIsDev !== 'boolean') return fail(index, 'is_dev', EVENT_ERRORS.isDev);
    isDev = rawIsDev;
  }

  // 15
  const attributes = validateCustomAttributes(own(raw, 'custom_attributes'));
  if (!attributes.ok) return fail(index, 'custom_attributes', attributes.problem);

  // 16
  const experiments = validateExperiments(own(raw, 'experiments'));
  if (!experiments.ok) return fail(index, 'experiments', experiments.problem);

  return {
    ok: true,
    event: {
      clientEventId,
      sessionId: sessionId.toLowerCase(),
      userId: strings.user_id,
      level: level as EventLevel,
      sourceModule: strings.source_module,
      message,
      screenName: strings.screen_name,
      customAttributes: attributes.value,
      environment,
      osVersion: strings.os_version,
      appVersion: strings.app_version,
      buildNumber: strings.build_number,
      deviceModel: strings.device_model,
      locale: strings.locale,
      isDev,
      experiments: experiments.value,
      timestamp,
    },
  };
}
