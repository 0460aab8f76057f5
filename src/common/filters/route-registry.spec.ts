import { RouteRegistry } from './route-registry';

describe('RouteRegistry', () => {
  const registry = new RouteRegistry();
  registry.add('GET', '/v1/apps/:id');
  registry.add(['PATCH', 'DELETE'], '/v1/apps/:id');
  registry.add('POST', '/v1/apps');
  registry.add('OPTIONS', '/v1/apps');

  it('lists the methods a concrete path accepts', () => {
    expect(registry.allowedMethods('/v1/apps/123')).toEqual(['GET', 'PATCH', 'DELETE']);
    expect(registry.allowedMethods('/v1/apps?x=1')).toEqual(['POST']);
  });

  it('lists every registered method and template once', () => {
    expect(registry.routes()).toEqual([
      { method: 'GET', url: '/v1/apps/:id' },
      { method: 'PATCH', url: '/v1/apps/:id' },
      { method: 'DELETE', url: '/v1/apps/:id' },
      { method: 'POST', url: '/v1/apps' },
    ]);
  });

  it('knows nothing of unknown paths', () => {
    expect(registry.allowedMethods('/v1/nope')).toEqual([]);
    expect(registry.allowedMethods('/V1/apps')).toEqual([]);
  });
});
