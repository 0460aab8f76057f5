import { COMMON_SCHEMAS, mergeSchemas, object, pageOf, ref, uuid } from './schemas';

describe('module schema sets', () => {
  it('merges the sets of several modules and refuses a name registered twice', () => {
    const apps = { App: object({ id: uuid }) };
    expect(Object.keys(mergeSchemas(COMMON_SCHEMAS, apps))).toEqual(['ErrorResponse', 'Deleted', 'Status', 'App']);
    expect(() => mergeSchemas(COMMON_SCHEMAS, apps, { App: object({}) })).toThrow('OpenAPI: schema App is registered twice');
  });

  it('refers to registered schemas by name', () => {
    expect(ref('App')).toEqual({ $ref: '#/components/schemas/App' });
    expect(pageOf('apps', 'App')).toEqual(expect.objectContaining({ required: ['apps', 'cursor', 'has_more'] }));
  });
});
