import { TeamRole, canGrantRole, canManageRole, isTeamRole, meetsMinimumRole, requiresRoleMessage, roleRank } from './team-role';

const { Owner, Admin, Member } = TeamRole;

describe('team roles', () => {
  it('ranks owner > admin > member', () => {
    expect([roleRank(Owner), roleRank(Admin), roleRank(Member)]).toEqual([3, 2, 1]);
  });

  it.each([
    [Owner, Owner, true],
    [Owner, Admin, true],
    [Owner, Member, true],
    [Admin, Owner, false],
    [Admin, Admin, true],
    [Admin, Member, true],
    [Member, Owner, false],
    [Member, Admin, false],
    [Member, Member, true],
  ])('meetsMinimumRole(%s, %s) is %s', (role, minimum, expected) => {
    expect(meetsMinimumRole(role, minimum)).toBe(expected);
  });

  it.each([
    [Owner, Owner, true],
    [Owner, Admin, true],
    [Owner, Member, true],
    [Admin, Owner, false],
    [Admin, Admin, false],
    [Admin, Member, true],
    [Member, Owner, false],
    [Member, Admin, false],
    [Member, Member, false],
  ])('canManageRole(%s acting on %s) is %s', (actor, target, expected) => {
    expect(canManageRole(actor, target)).toBe(expected);
  });

  it.each([
    [Owner, Owner, true],
    [Owner, Admin, true],
    [Owner, Member, true],
    [Admin, Owner, false],
    [Admin, Admin, true],
    [Admin, Member, true],
    [Member, Owner, false],
    [Member, Member, true],
  ])('canGrantRole(%s granting %s) is %s', (actor, role, expected) => {
    expect(canGrantRole(actor, role)).toBe(expected);
  });

  it('recognises exactly the three role names', () => {
    expect(['owner', 'admin', 'member'].map(isTeamRole)).toEqual([true, true, true]);
    expect(['Owner', 'ADMIN', '', 'viewer', 1, null, undefined, ['member']].map(isTeamRole)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('words the minimum-role failure like the contract', () => {
    expect(requiresRoleMessage(Admin)).toBe('Requires admin role or higher');
    expect(requiresRoleMessage(Owner)).toBe('Requires owner role or higher');
  });
});
