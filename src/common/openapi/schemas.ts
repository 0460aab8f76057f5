import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { Permission } from '../auth/permission';
import { TEAM_ROLES } from '../auth/team-role';

/**
 * Building blocks of the document's schemas. Each feature module owns the JSON schemas of its answers in a
 * `<module>.schemas.ts` beside its mapper (a `Record<name, SchemaObject>`); the application hands them all to
 * the document (src/app.openapi.ts), which registers them as `components.schemas`. Controllers refer to them by
 * name (`@ApiOk('App')`, `ref('Member')`): names are checked when the document is built, so a reference to a
 * schema no module registered fails at startup (and in the e2e suite), not in a reader's browser.
 *
 * Every field of an answer is always present (absent values are `null`), so `object()` lists every property
 * as required; nullable ones say so.
 */
export type Schema = SchemaObject | ReferenceObject;
/** Named schemas, as a module exports them. */
export type SchemaSet = Readonly<Record<string, SchemaObject>>;

export const uuid: SchemaObject = { type: 'string', format: 'uuid' };
export const timestamp: SchemaObject = { type: 'string', format: 'date-time', example: '2024-03-08T14:22:05.417Z' };
export const text: SchemaObject = { type: 'string' };
export const email: SchemaObject = { type: 'string', format: 'email' };
export const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
export const arrayOf = (items: Schema): SchemaObject => ({ type: 'array', items });
export const stringEnum = (values: readonly string[]): SchemaObject => ({ type: 'string', enum: [...values] });
export const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };
/** A team role, as every membership-shaped answer carries it. */
export const role: SchemaObject = stringEnum(TEAM_ROLES);
/** An API key's permissions. */
export const permissions: SchemaObject = arrayOf(stringEnum(Object.values(Permission)));

/** An object whose properties are all always present. */
export const object = (properties: Record<string, Schema>, description?: string): SchemaObject => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: Object.keys(properties),
  properties,
});

/** A reference to a registered schema by name. */
export const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

/** The shapes every module answers with. */
export const COMMON_SCHEMAS: SchemaSet = {
  ErrorResponse: object({ error: { type: 'string', example: 'Not found' } }, 'Every non-2xx answer: one `error` text, nothing else.'),
  Deleted: object({ deleted: { type: 'boolean', enum: [true] } }),
  Status: object({ status: stringEnum(['ok']) }),
};

/** The schema sets of several modules as one; a name registered twice is a startup error. */
export function mergeSchemas(...sets: SchemaSet[]): Record<string, SchemaObject> {
  const merged: Record<string, SchemaObject> = {};
  for (const set of sets) {
    for (const [name, schema] of Object.entries(set)) {
      if (Object.hasOwn(merged, name)) throw new Error(`OpenAPI: schema ${name} is registered twice`);
      merged[name] = schema;
    }
  }
  return merged;
}

/** `{"<key>": [<name>]}` — the un-paginated list answers. */
export const listOf = (key: string, name: string): SchemaObject => object({ [key]: arrayOf(ref(name)) });

/** `{"<key>": <name>}` */
export const wrapped = (key: string, name: string): SchemaObject => object({ [key]: ref(name) });

/** A cursor page, newest first: pass `cursor` back until `has_more` is false. */
export const pageOf = (key: string, name: string): SchemaObject =>
  object({
    [key]: arrayOf(ref(name)),
    cursor: nullable({ type: 'string', description: 'Opaque; pass it back as `cursor` for the next page.' }),
    has_more: { type: 'boolean' },
  });

/**
 * A document schema as a Fastify response schema (its compiled serializer, fast-json-stringify), so an answer
 * has one definition: `$ref`s are resolved from `named`, only the keywords that shape the output stay (type,
 * nullable, properties, required, items), and maps (`additionalProperties` without `properties`) become
 * free-form objects, written as they are. Nullable fields must be declared so, else the serializer would write
 * `""` for a null string; required fields missing from an answer make it fail loudly instead of being dropped.
 */
export function serializerSchema(schema: Schema, named: Readonly<Record<string, SchemaObject>>): Record<string, unknown> {
  if ('$ref' in schema) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = named[name];
    if (!target) throw new Error(`serializerSchema: unknown schema ${name}`);
    return serializerSchema(target, named);
  }
  const out: Record<string, unknown> = {};
  if (schema.type !== undefined) out.type = schema.type;
  if (schema.nullable === true) out.nullable = true;
  if (schema.type === 'object') {
    if (schema.properties) {
      out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, serializerSchema(v, named)]));
      if (schema.required) out.required = [...schema.required];
      out.additionalProperties = false;
    } else {
      out.additionalProperties = true;
    }
  }
  if (schema.type === 'array' && schema.items) out.items = serializerSchema(schema.items, named);
  return out;
}
