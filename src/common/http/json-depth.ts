/**
 * Nesting depth of request bodies. A JSON body may nest objects and arrays at most MAX_JSON_DEPTH levels (the
 * body object itself is level 1). Every documented field needs at most 5 (an ingest event's attribute value);
 * free-form definition fields (`schema_definition`, `aggregation_rules`) keep plenty of room. The limit is
 * enforced once, where the body is parsed, so nothing downstream (validation, class-transformer, audit diffs)
 * ever walks an arbitrarily deep document.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Scans valid JSON text (already parsed successfully) and, when its nesting exceeds `max`, returns the
 * top-level key under which that happens (`null` when the document itself is an array or when the key cannot
 * be told); returns `undefined` when the depth is within the limit. One linear pass, no recursion.
 */
export function tooDeepField(text: string, max = MAX_JSON_DEPTH): string | null | undefined {
  let depth = 0;
  let stringStart = -1;
  let lastTopLevelString: [number, number] | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (stringStart >= 0) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        if (depth === 1) lastTopLevelString = [stringStart, i + 1];
        stringStart = -1;
      }
      continue;
    }
    if (c === QUOTE) stringStart = i;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return keyText(text, lastTopLevelString);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return undefined;
}

/** The last string seen at the top level before the deep value is its key (a value string cannot precede it). */
function keyText(text: string, span: [number, number] | null): string | null {
  if (span === null || text.trimStart().charCodeAt(0) !== OPEN_BRACE) return null;
  try {
    return JSON.parse(text.slice(span[0], span[1])) as string;
  } catch {
    return null;
  }
}
