import { ConflictException, HttpException, NotFoundException, BadRequestException } from '@nestjs/common';

/**
 * Database failures with a meaning for the caller, translated into the contract's answers in ONE place
 * (ErrorTranslationInterceptor). Repositories and services let these errors travel; nothing else maps SQLSTATEs.
 */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
/** Input PostgreSQL could not read as its column type (a safety net: validation should have caught it). */
const PG_BAD_INPUT = new Set(['22P02', '22007', '22008', '22003', '22001', '22021', '54000']);

/** Which unique constraint means which contract text (always a 409). Each module exports its own part. */
export type ConstraintAnswers = Readonly<Record<string, string>>;

interface DriverError {
  code?: string;
  constraint?: string;
  driverError?: { code?: string; constraint?: string };
  name?: string;
}

const codeOf = (err: unknown): string | undefined => {
  const e = err as DriverError;
  return e?.code ?? e?.driverError?.code;
};

const constraintOf = (err: unknown): string | undefined => {
  const e = err as DriverError;
  return e?.constraint ?? e?.driverError?.constraint;
};

/** True for a unique violation (of `constraint`, when given). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return codeOf(err) === PG_UNIQUE_VIOLATION && (constraint === undefined || constraintOf(err) === constraint);
}

/**
 * The HTTP answer for a database or persistence error, or null when it has none (it stays a 500). Pure.
 * - unique violation of a known constraint → 409 with that constraint's text; of another → 409 "Conflict"
 * - foreign-key violation (the referenced row vanished meanwhile) → 404 "Not found"
 * - input the column type cannot hold → 400 "Bad request"
 * - TypeORM's EntityNotFoundError (a findOneOrFail that found nothing) → 404 "Not found"
 */
export function translateDbError(err: unknown, answers: ConstraintAnswers): HttpException | null {
  if (err instanceof HttpException) return null;
  const code = codeOf(err);
  if (code === PG_UNIQUE_VIOLATION) {
    const constraint = constraintOf(err);
    return new ConflictException(constraint !== undefined && answers[constraint] !== undefined ? answers[constraint] : 'Conflict');
  }
  if (code === PG_FOREIGN_KEY_VIOLATION) return new NotFoundException('Not found');
  if (code !== undefined && PG_BAD_INPUT.has(code)) return new BadRequestException('Bad request');
  if ((err as DriverError)?.name === 'EntityNotFoundError') return new NotFoundException('Not found');
  return null;
}
