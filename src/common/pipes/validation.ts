import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidateBy, ValidationArguments, getMetadataStorage, validateSync } from 'class-validator';
import { isUuid } from '../http/uuid';

/**
 * Field checks whose texts SPEC §1.2 fixes. Each decorator is one check function, so the first problem of
 * a field is exact; fields are checked in declaration order, and absent/null/"" fields are "missing" and
 * skipped here (requiredness is declared with @RequireFields, checked first).
 */
type Check = (value: unknown, field: string) => string | null;

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

function fieldRule(name: string, check: Check) {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => value === undefined || check(value, args!.property) === null,
      defaultMessage: (args?: ValidationArguments) => check(args!.value, args!.property) ?? '',
    },
  });
}

export const stringProblem = (value: unknown, field: string, max = 255): string | null => {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.length > max && codePoints(value) > max) return `${field} must be at most ${max} characters`;
  return null;
};

/** A string of at most `max` code points (default 255). */
export const IsText = (opts: { max?: number; message?: string } = {}) =>
  fieldRule('isText', (v, f) => {
    const p = stringProblem(v, f, opts.max ?? 255);
    return p && opts.message ? opts.message : p;
  });

/** A string holding a UUID; `typeMessage`/`uuidMessage` override the default texts. */
export const IsUuidText = (opts: { typeMessage?: string; uuidMessage?: string } = {}) =>
  fieldRule('isUuidText', (v, f) => {
    if (typeof v !== 'string') return opts.typeMessage ?? `${f} must be a string`;
    return isUuid(v) ? null : opts.uuidMessage ?? `${f} must be a valid UUID`;
  });

/** One of a closed set of strings. */
export const IsOneOf = (values: readonly string[], message: string) =>
  fieldRule('isOneOf', (v) => (typeof v === 'string' && values.includes(v) ? null : message));

export const IsBool = (message?: string) =>
  fieldRule('isBool', (v, f) => (typeof v === 'boolean' ? null : message ?? `${f} must be a boolean`));

export const IsInteger = (opts: { min?: number; max?: number; message?: string } = {}) =>
  fieldRule('isInteger', (v, f) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return opts.message ?? `${f} must be a integer`;
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) return opts.message ?? `${f} is out of range`;
    return null;
  });

/** Any JSON value: kept by the whitelist, checked by the service (ordered texts SPEC fixes there). */
export const IsAnyJson = () => fieldRule('isAnyJson', () => null);

export const IsArrayValue = (message?: string) =>
  fieldRule('isArrayValue', (v, f) => (Array.isArray(v) ? null : message ?? `${f} must be a array`));

/**
 * A check on the whole body, reported at the position of the property it decorates (declare a
 * placeholder property where the contract orders the check); runs whether or not fields are present.
 */
export const CrossCheck = (check: (body: Record<string, unknown>) => string | null) =>
  ValidateBy({
    name: 'crossCheck',
    validator: {
      validate: (_: unknown, args?: ValidationArguments) => check(args!.object as Record<string, unknown>) === null,
      defaultMessage: (args?: ValidationArguments) => check(args!.object as Record<string, unknown>) ?? '',
    },
  });

const REQUIRED = Symbol('requiredFields');
const REQUIRED_ANY = Symbol('requiredAnyField');

/** Class decorator: unless at least one of `fields` is present, answer 400 `message` first. */
export function RequireAnyField(fields: string[], message: string): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(REQUIRED_ANY, { fields, message }, target);
  };
}

/** Class decorator: if any of `fields` is missing (absent, null or ""), answer 400 `message` before any type check. */
export function RequireFields(fields: string[], message: string): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(REQUIRED, { fields, message }, target);
  };
}

export const isMissing = (v: unknown): boolean => v === undefined || v === null || v === '';

function hasValidationMetadata(metatype: unknown): metatype is new () => object {
  if (typeof metatype !== 'function') return false;
  return getMetadataStorage().getTargetValidationMetadatas(metatype, '', false, false).length > 0;
}

/**
 * The global pipe: query strings lose empty values and refuse repeated names (§1.2); a missing body is `{}`;
 * DTO classes are checked by @RequireFields, then field rules in declaration order (first problem wins),
 * and unknown fields are dropped (whitelist).
 */
@Injectable()
export class ContractValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'query' && value && typeof value === 'object' && !metadata.data) {
      value = normalizeQuery(value as Record<string, unknown>);
    } else if (metadata.type === 'body' && !metadata.data) {
      value = normalizeBody(value);
    } else {
      return value;
    }
    const metatype = metadata.metatype;
    if (!hasValidationMetadata(metatype)) return value;
    const plain = value as Record<string, unknown>;
    const required = Reflect.getMetadata(REQUIRED, metatype) as { fields: string[]; message: string } | undefined;
    if (required && required.fields.some((f) => isMissing(plain[f]))) throw new BadRequestException(required.message);
    const any = Reflect.getMetadata(REQUIRED_ANY, metatype) as { fields: string[]; message: string } | undefined;
    if (any && any.fields.every((f) => isMissing(plain[f]))) throw new BadRequestException(any.message);
    const instance = plainToInstance(metatype, plain);
    const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false, stopAtFirstError: true });
    if (errors.length > 0) {
      const first = Object.values(errors[0].constraints ?? {})[0] ?? `${errors[0].property} is invalid`;
      throw new BadRequestException(first);
    }
    return instance;
  }
}

/** Empty values count as absent; a name given twice is an error (§1.2). */
export function normalizeQuery(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw new BadRequestException(`${k} must be given only once`);
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

/** Missing fields are deleted so optional rules skip them; a missing body is `{}`. */
export function normalizeBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('Request body must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (!isMissing(v)) out[k] = v;
  return out;
}
