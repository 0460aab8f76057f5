import { ConstraintAnswers } from '../../common/errors/db-errors';
/** Contract texts of the teams and members endpoints (SPEC §2.3). */
export const TeamsErrors = {
  onlyUsersCreate: 'Only users can create teams',
  onlyUsersView: 'Only users can view teams',
  onlyUsersUpdate: 'Only users can update teams',
  onlyUsersDelete: 'Only users can delete teams',
  onlyUsersListMembers: 'Only users can list team members',
  onlyUsersChangeRoles: 'Only users can change member roles',
  onlyUsersRemoveMembers: 'Only users can remove team members',
  onlyUsersViewAgentKeys: 'Only users can view member agent keys',
  nameAndSlugRequired: 'name and slug are required',
  invalidSlug: 'slug must contain only lowercase letters, numbers, and hyphens',
  slugTaken: 'A team with this slug already exists',
  noFieldToUpdate: 'At least one field to update is required',
  teamNotFound: 'Team not found',
  onlyTeam: 'Cannot delete your only team',
  validRoleRequired: 'A valid role is required',
  ownRole: 'Cannot change your own role',
  onlyOwnersPromote: 'Only owners can promote members to owner',
  memberNotFound: 'Member not found',
  equalOrHigherRole: 'Cannot change the role of a member with equal or higher role',
  lastOwner: 'Cannot demote the last owner',
  soleOwnerLeaving: 'Transfer ownership before leaving — you are the sole owner',
  removeEqualOrHigher: 'Cannot remove a member with equal or higher role',
} as const;

/** Team slugs: lower-case letters, digits and hyphens (§2.3). */
export const TEAM_SLUG_RE = /^[a-z0-9-]+$/;

/** Unique constraints whose violation answers 409 with the contract's text (ErrorTranslationInterceptor). */
export const TEAMS_CONSTRAINTS: ConstraintAnswers = { teams_slug_key: TeamsErrors.slugTaken };
