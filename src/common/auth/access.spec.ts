import { AccessRule, accessProblem, describeAccess } from './access';
import { ApiKeyType, Permission } from './permission';
import { ApiKeyPrincipal, UserPrincipal } from './principal';
import { TeamRole } from './team-role';

const user: UserPrincipal = { kind: 'user', userId: 'u', email: 'u@example.com' };
const key = (permissions: string[]): ApiKeyPrincipal => ({
  kind: 'api_key',
  keyId: 'k',
  keyType: ApiKeyType.Agent,
  teamId: 't',
  appId: null,
  app: null,
  permissions,
  createdBy: 'u',
});

describe('accessProblem', () => {
  const rule: AccessRule = { permissions: [Permission.ProjectsWrite], usersOnly: 'Only users can delete projects' };

  it('keys: the missing permissions first, then the user-only text', () => {
    expect(accessProblem(rule, key([]))).toBe('Missing permission: projects:write');
    expect(accessProblem({ permissions: [Permission.AppsRead, Permission.AppsWrite] }, key([]))).toBe(
      'Missing permissions: apps:read, apps:write',
    );
    expect(accessProblem(rule, key([Permission.ProjectsWrite]))).toBe('Only users can delete projects');
    expect(accessProblem({ permissions: [Permission.ProjectsWrite] }, key([Permission.ProjectsWrite]))).toBeNull();
  });

  it('users skip permissions and pass user-only routes', () => {
    expect(accessProblem(rule, user)).toBeNull();
    expect(accessProblem({}, user)).toBeNull();
  });
});

describe('describeAccess', () => {
  it.each<[AccessRule, string]>([
    [{ public: true }, 'public'],
    [{ public: true, metricsToken: true }, 'public (METRICS_TOKEN when set)'],
    [{}, 'users and API keys'],
    [{ permissions: [Permission.EventsRead] }, 'users and API keys; keys need events:read'],
    [{ usersOnly: 'Only users can x', teamRole: TeamRole.Owner }, 'users only ("Only users can x"); role ≥ owner in :teamId'],
  ])('%j → %s', (rule, text) => {
    expect(describeAccess(rule)).toBe(text);
  });
});
