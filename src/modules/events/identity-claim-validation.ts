import { ANONYMOUS_PREFIX } from './events.constants';
import { ClaimErrors } from './events.errors';
import { MAX_FIELD_CHARS, exceedsCodePoints } from './ingest-validation';

export interface ClaimInput {
  anonymousId: string;
  userId: string;
}

export type ClaimValidation = { ok: true; value: ClaimInput } | { ok: false; message: string };

const present = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Body rules of §2.9 in the contract's order: both "required" checks, then the two prefix rules, then the
 * lengths. Pure. Ids arrive already made storable by the JSON parser, exactly like stored event strings, so a
 * claim names the same user_id the events were stored with.
 */
export function validateClaim(body: { anonymous_id?: unknown; user_id?: unknown }): ClaimValidation {
  const anonymousId = body.anonymous_id;
  const userId = body.user_id;
  if (!present(anonymousId)) return { ok: false, message: ClaimErrors.anonymousIdRequired };
  if (!present(userId)) return { ok: false, message: ClaimErrors.userIdRequired };
  if (!anonymousId.startsWith(ANONYMOUS_PREFIX)) return { ok: false, message: ClaimErrors.anonymousPrefix };
  if (userId.startsWith(ANONYMOUS_PREFIX)) return { ok: false, message: ClaimErrors.userIdAnonymous };
  if (exceedsCodePoints(anonymousId, MAX_FIELD_CHARS)) return { ok: false, message: ClaimErrors.tooLong('anonymous_id') };
  if (exceedsCodePoints(userId, MAX_FIELD_CHARS)) return { ok: false, message: ClaimErrors.tooLong('user_id') };
  return { ok: true, value: { anonymousId, userId } };
}
