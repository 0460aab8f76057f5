import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform, applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { ValidateBy, ValidationArguments, ValidationTypes, getMetadataStorage, validateSync } from 'class-validator';
import { pgSafeText } from '../http/pg-text';
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

/**
 * One check plus its OpenAPI description (B11), so every DTO documents itself from the same decorator that
 * validates it. Fields start out optional; @RequireFields marks its fields required. To refine a field's
 * description, write `@ApiProperty(...)` above the rule (the decorator nearest the property applies first).
 */
function fieldRule(name: string, check: Check, doc: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => value === undefined || check(value, args!.property) === null,
        defaultMessage: (args?: ValidationArguments) => check(args!.value, args!.property) ?? '',
      },
    }),
    ApiProperty({ required: false, ...doc } as ApiPropertyOptions),
  );
}

/** Lengths this large mean "no length rule" (the field's problems are answered elsewhere). */
const documentedMax = (max: number): { maxLength?: number } => (max < Number.MAX_SAFE_INTEGER ? { maxLength: max } : {});

export const stringProblem = (value: unknown, field: string, max = 255): string | null => {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.length > max && codePoints(value) > max) return `${field} must be at most ${max} characters`;
  return null;
};

/** A string of at most `max` code points (default 255). */
export const IsText = (opts: { max?: number; message?: string } = {}) =>
  fieldRule(
    'isText',
    (v, f) => {
      const p = stringProblem(v, f, opts.max ?? 255);
      return p && opts.message ? opts.message : p;
    },
    { type: 'string', ...documentedMax(opts.max ?? 255) },
  );

/** A string holding a UUID; `typeMessage`/`uuidMessage` override the default texts. */
export const IsUuidText = (opts: { typeMessage?: string; uuidMessage?: string } = {}) =>
  fieldRule(
    'isUuidText',
    (v, f) => {
      if (typeof v !== 'string') return opts.typeMessage ?? `${f} must be a string`;
      return isUuid(v) ? null : (opts.uuidMessage ?? `${f} must be a valid UUID`);
    },
    { type: 'string', format: 'uuid' },
  );

/** One of a closed set of strings. */
export const IsOneOf = (values: readonly string[], message: string) =>
  fieldRule('isOneOf', (v) => (typeof v === 'string' && values.includes(v) ? null : message), { type: 'string', enum: [...values] });

export const IsBool = (message?: string) =>
  fieldRule('isBool', (v, f) => (typeof v === 'boolean' ? null : (message ?? `${f} must be a boolean`)), { type: 'boolean' });

export const IsInteger = (opts: { min?: number; max?: number; message?: string } = {}) =>
  fieldRule(
    'isInteger',
    (v, f) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) return opts.message ?? `${f} must be a integer`;
      if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max))
        return opts.message ?? `${f} is out of range`;
      return null;
    },
    { type: 'integer', minimum: opts.min, maximum: opts.max },
  );

/**
 * Any JSON value: kept by the whitelist, checked by the service (ordered texts SPEC fixes there).
 * `doc` describes what the service accepts (e.g. `{ type: 'string', format: 'email' }`); without it the
 * property's declared TypeScript type is documented.
 */
export const IsAnyJson = (doc: ApiPropertyOptions = {}) => fieldRule('isAnyJson', () => null, doc);

export const IsArrayValue = (message?: string) =>
  fieldRule('isArrayValue', (v, f) => (Array.isArray(v) ? null : (message ?? `${f} must be a array`)), { type: 'array', items: {} });

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
    // Class decorators run after the property decorators: flip the listed fields to required in the document.
    for (const field of fields) ApiProperty({ required: true })(target.prototype as object, field);
  };
}

export const isMissing = (v: unknown): boolean => v === undefined || v === null || v === '';

/** One rule of a DTO as class-validator registered it (ValidateBy): its property and its constraint, ready to call. */
interface CompiledRule {
  property: string;
  constraints: unknown[];
  constraint: { validate(value: unknown, args: ValidationArguments): unknown; defaultMessage?(args: ValidationArguments): string };
}

/**
 * What the pipe does with a parameter type, decided once per type: nothing (no rules), run the DTO's compiled rules
 * (every rule a synchronous ValidateBy constraint with no options — all of ours), or, for anything else
 * class-validator can express, class-transformer + class-validator as they are.
 */
type TypePlan = { kind: 'none' } | { kind: 'compiled'; properties: string[]; rules: CompiledRule[] } | { kind: 'dto' };
const typePlans = new WeakMap<object, TypePlan>();

/**
 * Reads class-validator's own metadata of `metatype` once and keeps its rules in the order class-validator runs
 * them: properties in first-registration order, each property's rules in registration order. The constraints
 * are the ones ValidateBy registered, so the texts are the same functions' answers.
 */
function compileRules(metatype: new () => object): TypePlan {
  const storage = getMetadataStorage();
  const metas = storage.getTargetValidationMetadatas(metatype, '', false, false);
  if (metas.length === 0) return { kind: 'none' };
  const grouped = storage.groupByPropertyName(metas);
  const rules: CompiledRule[] = [];
  for (const [property, list] of Object.entries(grouped)) {
    for (const m of list) {
      const plain = m.type === ValidationTypes.CUSTOM_VALIDATION && !m.each && !m.always && m.message === undefined && !m.groups?.length;
      const registered = plain ? storage.getTargetValidatorConstraints(m.constraintCls) : [];
      if (registered.length !== 1 || registered[0].async) return { kind: 'dto' };
      rules.push({ property, constraints: (m.constraints as unknown[] | undefined) ?? [], constraint: registered[0].instance });
    }
  }
  return { kind: 'compiled', properties: Object.keys(grouped), rules };
}

function planOf(metatype: unknown): TypePlan {
  if (typeof metatype !== 'function') return { kind: 'none' };
  let plan = typePlans.get(metatype);
  if (plan === undefined) {
    plan = compileRules(metatype as new () => object);
    typePlans.set(metatype, plan);
  }
  return plan;
}

/**
 * A DTO's compiled rules on `plain`: the DTO instance holds only its declared fields (the whitelist), then the
 * first failing rule answers 400 with its text — what class-transformer + class-validator (`whitelist`,
 * `stopAtFirstError`) answer for these rules, without their per-request reflection.
 */
function runCompiled(metatype: new () => object, plan: Extract<TypePlan, { kind: 'compiled' }>, plain: Record<string, unknown>): object {
  const out = new metatype() as Record<string, unknown>;
  for (const p of plan.properties) if (Object.prototype.hasOwnProperty.call(plain, p)) out[p] = plain[p];
  for (const rule of plan.rules) {
    const value = out[rule.property];
    const args: ValidationArguments = {
      value,
      constraints: rule.constraints,
      targetName: metatype.name,
      object: out,
      property: rule.property,
    };
    if (!rule.constraint.validate(value, args)) {
      throw new BadRequestException(rule.constraint.defaultMessage?.(args) || `${rule.property} is invalid`);
    }
  }
  return out;
}

/**
 * The global pipe: query strings lose empty values and refuse repeated names (§1.2); a missing body is `{}`;
 * DTO classes are checked by @RequireFields/@RequireAnyField, then field rules in declaration order (first problem
 * wins), and unknown fields are dropped (whitelist). The field rules are class-validator's, compiled once per class
 * (compileRules) and called directly; src/dto-rules.spec.ts checks every DTO against class-validator itself.
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
    const plan = planOf(metadata.metatype);
    if (plan.kind === 'none') return value;
    const metatype = metadata.metatype as new () => object;
    const plain = value as Record<string, unknown>;
    const required = Reflect.getMetadata(REQUIRED, metatype) as { fields: string[]; message: string } | undefined;
    if (required && required.fields.some((f) => isMissing(plain[f]))) throw new BadRequestException(required.message);
    const any = Reflect.getMetadata(REQUIRED_ANY, metatype) as { fields: string[]; message: string } | undefined;
    if (any && any.fields.every((f) => isMissing(plain[f]))) throw new BadRequestException(any.message);
    return plan.kind === 'compiled' ? runCompiled(metatype, plan, plain) : checkWithClassValidator(metatype, plain);
  }
}

/** The DTO's field rules by class-transformer + class-validator (whitelist, first problem wins). */
export function checkWithClassValidator(metatype: new () => object, plain: Record<string, unknown>): object {
  const instance = plainToInstance(metatype, plain);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) {
    const first = Object.values(errors[0].constraints ?? {})[0] ?? `${errors[0].property} is invalid`;
    throw new BadRequestException(first);
  }
  return instance;
}

/** The DTO's field rules as the pipe runs them (compiled once); null when the DTO has rules it cannot compile. */
export function checkCompiled(metatype: new () => object, plain: Record<string, unknown>): object | null {
  const plan = planOf(metatype);
  if (plan.kind !== 'compiled') return null;
  return runCompiled(metatype, plan, plain);
}

/** Empty values count as absent; a name given twice is an error (§1.2). */
export function normalizeQuery(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw new BadRequestException(`${k} must be given only once`);
    if (typeof v === 'string' && v !== '') out[k] = pgSafeText(v);
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
