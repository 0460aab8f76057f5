import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { TEAM_ROLE_KEY, TeamRoleRequirement } from '../../common/decorators/auth.decorators';
import { TeamAccessService } from './team-access.service';

/** Enforces @RequireTeamRole on team-scoped routes (`/v1/teams/:teamId/...`), after auth, permission and user-only checks. */
@Injectable()
export class TeamRoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: TeamAccessService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = this.reflector.getAllAndOverride<TeamRoleRequirement | undefined>(TEAM_ROLE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!req) return true;
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const principal = request.principal;
    if (!principal) return true;
    const teamId = String((request.params as Record<string, string>)[req.param] ?? '');
    await this.access.assertRole(principal, teamId, req.role);
    return true;
  }
}
