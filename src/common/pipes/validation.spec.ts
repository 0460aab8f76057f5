import { BadRequestException } from '@nestjs/common';
import {
  ContractValidationPipe,
  CrossCheck,
  IsInteger,
  IsOneOf,
  IsText,
  IsUuidText,
  RequireAnyField,
  RequireFields,
  isMissing,
  normalizeBody,
  normalizeQuery,
} from './validation';

@RequireFields(['name', 'kind'], 'name and kind are required')
class CreateThing {
  @IsOneOf(['a', 'b'], 'kind must be a or b') kind: string;
  @CrossCheck((b) => (b.kind === 'a' && isMissing(b.ref) ? 'a needs a ref' : null)) readonly order?: never;
  @IsText() name: string;
  @IsUuidText() ref?: string;
  @IsInteger({ min: 1, max: 5, message: 'count must be 1-5' }) count?: number;
}

@RequireAnyField(['name', 'tags'], 'At least one field to update is required')
class UpdateThing {
  @IsText({ max: 3 }) name?: string;
}

describe('ContractValidationPipe', () => {
  const pipe = new ContractValidationPipe();
  const body = (value: unknown, metatype: new () => object) => pipe.transform(value, { type: 'body', metatype });
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(BadRequestException);
      return (e as BadRequestException).message;
    }
    throw new Error('expected a 400');
  };

  it('checks required fields first, then fields in declaration order', () => {
    expect(error(() => body({ name: 5 }, CreateThing))).toBe('name and kind are required');
    expect(error(() => body({ name: 5, kind: 'c' }, CreateThing))).toBe('kind must be a or b');
    expect(error(() => body({ name: 5, kind: 'a' }, CreateThing))).toBe('a needs a ref');
    expect(error(() => body({ name: 5, kind: 'b' }, CreateThing))).toBe('name must be a string');
    expect(error(() => body({ name: 'x', kind: 'b', ref: 'nope' }, CreateThing))).toBe('ref must be a valid UUID');
    expect(error(() => body({ name: 'x', kind: 'b', count: 9 }, CreateThing))).toBe('count must be 1-5');
  });

  it('treats null and "" as missing and drops unknown fields', () => {
    expect(error(() => body({ name: '', kind: 'a' }, CreateThing))).toBe('name and kind are required');
    const out = body({ name: 'x', kind: 'b', ref: null, extra: 1 }, CreateThing) as Record<string, unknown>;
    expect(out).toBeInstanceOf(CreateThing);
    expect(out.extra).toBeUndefined();
    expect(out.ref).toBeUndefined();
  });

  it('requires at least one field where asked; counts characters as code points', () => {
    expect(error(() => body({}, UpdateThing))).toBe('At least one field to update is required');
    expect(error(() => body(undefined, UpdateThing))).toBe('At least one field to update is required');
    expect(body({ name: '🦉🦉🦉' }, UpdateThing)).toEqual(Object.assign(new UpdateThing(), { name: '🦉🦉🦉' }));
    expect(error(() => body({ name: 'abcd' }, UpdateThing))).toBe('name must be at most 3 characters');
  });

  it('normalises query strings: empty values are absent, repeated names are refused', () => {
    expect(normalizeQuery({ a: '', b: 'x' })).toEqual({ b: 'x' });
    expect(() => normalizeQuery({ level: ['info', 'warn'] })).toThrow('level must be given only once');
  });

  it('refuses non-object bodies', () => {
    expect(() => normalizeBody([1])).toThrow('Request body must be a JSON object');
    expect(normalizeBody(null)).toEqual({});
  });
});
