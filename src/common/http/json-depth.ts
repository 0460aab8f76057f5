/**
 * Nesting depth of request bodies. A JSON body may nest objects and arrays at most MAX_JSON_DEPTH levels (the
 * body object itself is level 1). Every documented field needs at most 5 (an ingest event's attribute value);
 * free-form definition fields (`schema_definition`, `aggregation_rules`) keep plenty of room. The limit is
 * enforced once, where the body is parsed, so nothing downstream (validation, class-transformer, audit diffs)
 * ever walks an arbitrarily deep document.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Walks a parsed document (iteratively, containers only — strings and numbers are never looked into) and, when
 * its nesting exceeds `max`, returns the top-level key under which that happens (`null` when the document itself
 * is an array); returns `undefined` when the depth is within the limit. Stops at the first container too deep.
 */
export function tooDeepField(doc: unknown, max = MAX_JSON_DEPTH): string | null | undefined {
  if (doc === null || typeof doc !== 'object') return undefined;
  const topLevel: [string | null, unknown][] = Array.isArray(doc) ? [[null, doc]] : Object.entries(doc);
  for (const [field, value] of topLevel) {
    const stack: [unknown, number][] = [[value, field === null ? 1 : 2]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      if (node === null || typeof node !== 'object') continue;
      if (depth > max) return field;
      const children = Array.isArray(node) ? node : Object.values(node);
      for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
