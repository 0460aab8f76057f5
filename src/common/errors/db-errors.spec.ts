import { ConflictException, ForbiddenException } from '@nestjs/common';
import { isUniqueViolation, translateDbError } from './db-errors';

const pg = (code: string, constraint?: string) => Object.assign(new Error('driver text'), { code, constraint });
const typeorm = (code: string, constraint?: string) =>
  Object.assign(new Error('query failed'), { name: 'QueryFailedError', driverError: { code, constraint } });
const answers = { teams_slug_key: 'A team with this slug already exists' };

describe('translateDbError', () => {
  it.each([
    ['pg', pg('23505', 'teams_slug_key')],
    ['TypeORM-wrapped', typeorm('23505', 'teams_slug_key')],
  ])('a known unique constraint (%s) → 409 with its text', (_label, err) => {
    const out = translateDbError(err, answers);
    expect(out).toBeInstanceOf(ConflictException);
    expect(out?.getResponse()).toMatchObject({ message: 'A team with this slug already exists' });
  });

  it('an unknown unique constraint → 409 "Conflict"', () => {
    expect(translateDbError(pg('23505', 'other_key'), answers)?.getStatus()).toBe(409);
    expect(translateDbError(pg('23505', 'other_key'), answers)?.message).toBe('Conflict');
  });

  it.each([
    ['23503', 404, 'Not found'],
    ['22P02', 400, 'Bad request'],
    ['22007', 400, 'Bad request'],
    ['22008', 400, 'Bad request'],
    ['22003', 400, 'Bad request'],
    ['22001', 400, 'Bad request'],
  ])('SQLSTATE %s → %i', (code, status, message) => {
    const out = translateDbError(typeorm(code), answers);
    expect(out?.getStatus()).toBe(status);
    expect(out?.message).toBe(message);
  });

  it('EntityNotFoundError → 404', () => {
    expect(translateDbError(Object.assign(new Error('x'), { name: 'EntityNotFoundError' }), answers)?.getStatus()).toBe(404);
  });

  it('leaves HTTP exceptions and everything else alone', () => {
    expect(translateDbError(new ForbiddenException('no'), answers)).toBeNull();
    expect(translateDbError(pg('40P01'), answers)).toBeNull();
    expect(translateDbError(new Error('boom'), answers)).toBeNull();
    expect(translateDbError(undefined, answers)).toBeNull();
  });
});

describe('isUniqueViolation', () => {
  it('matches the code and, when given, the constraint', () => {
    expect(isUniqueViolation(typeorm('23505', 'a'))).toBe(true);
    expect(isUniqueViolation(typeorm('23505', 'a'), 'a')).toBe(true);
    expect(isUniqueViolation(typeorm('23505', 'a'), 'b')).toBe(false);
    expect(isUniqueViolation(pg('23503', 'a'))).toBe(false);
  });
});
