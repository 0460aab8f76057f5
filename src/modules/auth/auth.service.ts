import { ForbiddenException, HttpException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyType, defaultPermissions } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { ApiKeyStoreService } from '../keys/api-key-store.service';
import { NOT_A_MEMBER } from '../teams/team-access.service';
import { MembershipRow } from '../teams/teams.types';
import { TeamsService } from '../teams/teams.service';
import { UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AuthErrors, CLI_AGENT_KEY_NAME } from './auth.errors';
import { LoginCodesService } from './login-codes.service';
import { SessionTokenService } from './session-token.service';

export interface SessionResult {
  token: string;
  user: UserEntity;
  teams: MembershipRow[];
  isNewUser: boolean;
}

export interface AgentLoginResult {
  apiKey: string;
  team: { id: string; name: string; slug: string };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly ds: DataSource,
    private readonly codes: LoginCodesService,
    private readonly users: UsersService,
    private readonly teams: TeamsService,
    private readonly keys: ApiKeyStoreService,
    private readonly audit: AuditService,
    private readonly sessions: SessionTokenService,
  ) {}

  sendCode(email: string): Promise<void> {
    return this.codes.send(email);
  }

  signSession(user: { id: string; email: string }): string {
    return this.sessions.sign(user);
  }

  /** verify-code: consume the code, find or create the user (with their team), issue a session. */
  async verifyCode(email: string, code: string): Promise<SessionResult> {
    const outcome = await this.ds.transaction(async (m) => {
      const check = await this.codes.check(email, code, m);
      if (!check.ok || !(await this.codes.consume(email, check.codeId, m))) return null;
      const { user, created } = await this.findOrCreateUser(email, m);
      return { user, created };
    });
    if (!outcome) throw new UnauthorizedException(AuthErrors.invalidCode);
    const teams = await this.teams.membershipsOf(outcome.user.id);
    return { token: this.signSession(outcome.user), user: outcome.user, teams, isNewUser: outcome.created };
  }

  /**
   * agent-login: the code is consumed only when a key is issued; the 400/403 answers roll the whole
   * transaction back, leaving the code usable and the counter as it was.
   */
  async agentLogin(email: string, code: string, teamId: string | undefined): Promise<AgentLoginResult> {
    const outcome = await this.ds.transaction(async (m) => {
      const check = await this.codes.check(email, code, m);
      if (!check.ok) return null;
      const { user } = await this.findOrCreateUser(email, m);
      const memberships = await this.teams.membershipsOf(user.id, m);
      if (memberships.length === 0) throw new ForbiddenException(AuthErrors.noTeamMembership);
      let team: MembershipRow | undefined;
      if (teamId !== undefined) {
        team = memberships.find((t) => t.id === teamId.toLowerCase());
        if (!team) throw new ForbiddenException(NOT_A_MEMBER);
      } else if (memberships.length === 1) {
        team = memberships[0];
      } else {
        throw new HttpException(
          { error: AuthErrors.multipleTeams, teams: memberships.map((t) => ({ id: t.id, name: t.name, slug: t.slug, role: t.role })) },
          400,
        );
      }
      if (!(await this.codes.consume(email, check.codeId, m))) return null;
      const actor: UserPrincipal = { kind: 'user', userId: user.id, email: user.email };
      const { key, entity } = await this.keys.create(
        {
          type: ApiKeyType.Agent,
          name: CLI_AGENT_KEY_NAME,
          teamId: team.id,
          appId: null,
          createdBy: user.id,
          permissions: defaultPermissions(ApiKeyType.Agent),
          expiresAt: null,
        },
        m,
      );
      await this.audit.record(m, {
        teamId: team.id,
        actor,
        action: AuditAction.Create,
        resourceType: AuditResource.ApiKey,
        resourceId: entity.id,
        metadata: { key_type: ApiKeyType.Agent, name: CLI_AGENT_KEY_NAME },
      });
      return { apiKey: key, team: { id: team.id, name: team.name, slug: team.slug } };
    });
    if (!outcome) throw new UnauthorizedException(AuthErrors.invalidCode);
    return outcome;
  }

  /** Signup use case: a new user gets a personal team they own, with the three audit entries of §2.10. */
  private async findOrCreateUser(email: string, m: EntityManager): Promise<{ user: UserEntity; created: boolean }> {
    const existing = await this.users.findByEmail(email, m);
    if (existing) return { user: existing, created: false };
    const { user, created } = await this.users.findOrCreateByEmail(email, m);
    if (!created) return { user, created };
    const actor: UserPrincipal = { kind: 'user', userId: user.id, email: user.email };
    const team = await this.teams.createPersonalTeam(user, actor, m);
    await this.audit.record(m, {
      teamId: team.id,
      actor,
      action: AuditAction.Create,
      resourceType: AuditResource.User,
      resourceId: user.id,
    });
    return { user, created: true };
  }

  async whoami(principal: Principal) {
    if (principal.kind === 'api_key') {
      const team = await this.teams.findActive(principal.teamId);
      return {
        kind: 'api_key' as const,
        keyType: principal.keyType,
        team: team ? { id: team.id, name: team.name, slug: team.slug } : null,
        permissions: [...principal.permissions],
      };
    }
    return { kind: 'user' as const, email: principal.email, teams: await this.teams.membershipsOf(principal.userId) };
  }

  memberships(userId: string): Promise<MembershipRow[]> {
    return this.teams.membershipsOf(userId);
  }

  async me(userId: string): Promise<{ user: UserEntity; teams: MembershipRow[] }> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundException(AuthErrors.userNotFound);
    return { user, teams: await this.teams.membershipsOf(userId) };
  }

  /** PATCH /auth/me: one `user` update entry in each of the user's teams. */
  async rename(principal: UserPrincipal, name: string): Promise<UserEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.users.findById(principal.userId, m);
      if (!before) throw new NotFoundException(AuthErrors.userNotFound);
      const user = await this.users.rename(principal.userId, name, m);
      const teams = await this.teams.membershipsOf(principal.userId, m);
      await this.audit.record(
        m,
        ...teams.map((t) => ({
          teamId: t.id,
          actor: principal,
          action: AuditAction.Update,
          resourceType: AuditResource.User,
          resourceId: user.id,
          changes: diff({ name: [before.name, name] }, ['name']),
        })),
      );
      return user;
    });
  }
}
