import {
  ApiKeyType,
  DEFAULT_AGENT_PERMISSIONS,
  Permission,
  defaultPermissions,
  missingPermissions,
  missingPermissionsMessage,
  permissionListProblem,
} from './permission';

describe('permissions', () => {
  it('defaults: client events:write; agent the ten agent permissions in contract order', () => {
    expect(defaultPermissions(ApiKeyType.Client)).toEqual(['events:write']);
    expect(defaultPermissions(ApiKeyType.Agent)).toEqual([
      'events:read',
      'funnels:read',
      'funnels:write',
      'apps:read',
      'apps:write',
      'projects:read',
      'projects:write',
      'metrics:read',
      'metrics:write',
      'audit_logs:read',
    ]);
    expect(defaultPermissions(ApiKeyType.Agent)).not.toBe(DEFAULT_AGENT_PERMISSIONS);
  });

  it.each([
    ['events:read', ApiKeyType.Agent, 'permissions must be an array of strings'],
    [['a', 1], ApiKeyType.Agent, 'permissions must be an array of strings'],
    [null, ApiKeyType.Agent, 'permissions must be an array of strings'],
    [[], ApiKeyType.Agent, 'At least one permission is required'],
    [['x', 'x'], ApiKeyType.Agent, 'Duplicate permissions are not allowed'],
    [['apps:read', 'nope', 'events:write'], ApiKeyType.Agent, 'Unknown permission: nope'],
    [['events:write', 'nope'], ApiKeyType.Agent, 'Permission "events:write" is not allowed for agent keys'],
    [['events:read'], ApiKeyType.Client, 'Permission "events:read" is not allowed for client keys'],
    [['__proto__'], ApiKeyType.Client, 'Unknown permission: __proto__'],
  ])('%j for %s keys → %s', (list, type, problem) => {
    expect(permissionListProblem(list, type)).toBe(problem);
  });

  it('accepts valid lists', () => {
    expect(permissionListProblem(['events:write'], ApiKeyType.Client)).toBeNull();
    expect(permissionListProblem(['metrics:read', 'audit_logs:read'], ApiKeyType.Agent)).toBeNull();
  });

  it('names one or several missing permissions', () => {
    expect(missingPermissions(['apps:read'], [Permission.AppsRead, Permission.AppsWrite])).toEqual(['apps:write']);
    expect(missingPermissionsMessage([Permission.AppsRead])).toBe('Missing permission: apps:read');
    expect(missingPermissionsMessage([Permission.AppsRead, Permission.EventsRead])).toBe('Missing permissions: apps:read, events:read');
  });
});
