import { MAX_JSON_DEPTH, tooDeepField as deepFieldOfDoc } from './json-depth';

/** The specs speak JSON text; the function takes the parsed document, as the body parser hands it. */
const tooDeepField = (text: string, max?: number) => deepFieldOfDoc(JSON.parse(text), max);

const nest = (levels: number, open = '[', close = ']'): string => open.repeat(levels) + close.repeat(levels);

describe('tooDeepField', () => {
  it('accepts documents up to the limit (the body object is level 1)', () => {
    expect(tooDeepField(`{"a":${nest(MAX_JSON_DEPTH - 1)}}`)).toBeUndefined();
    expect(tooDeepField('{}')).toBeUndefined();
    expect(tooDeepField('{"events":[{"custom_attributes":{"a":"b"}}]}')).toBeUndefined();
  });

  it('names the top-level field whose value nests too deeply', () => {
    expect(tooDeepField(`{"email":"x@example.com","zz":${nest(MAX_JSON_DEPTH)}}`)).toBe('zz');
    expect(tooDeepField(`{"a":1,"b":"[[[[","c":${nest(40, '{"k":', '}').replace(/\{"k":\}/, '{}')}}`)).toBe('c');
    expect(tooDeepField(`{"we\\"ird":${nest(1300)}}`)).toBe('we"ird');
    expect(tooDeepField(`{"ok":"value","deep":${nest(MAX_JSON_DEPTH)}}`)).toBe('deep');
  });

  it('brackets inside strings do not count', () => {
    expect(tooDeepField(`{"a":"${'['.repeat(1000)}","b":"\\"${'{'.repeat(1000)}"}`)).toBeUndefined();
  });

  it('a top-level array has no field name', () => {
    expect(tooDeepField(nest(MAX_JSON_DEPTH + 1))).toBeNull();
  });

  it('honours a custom limit', () => {
    expect(tooDeepField('{"a":[[1]]}', 3)).toBeUndefined();
    expect(tooDeepField('{"a":[[[1]]]}', 3)).toBe('a');
  });

  it('is linear: a million levels cost one pass and no stack', () => {
    expect(tooDeepField(`{"zz":${nest(1_000_000)}}`)).toBe('zz');
  });
});
