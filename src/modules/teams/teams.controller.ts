import { Body, Controller, Delete, Param, Patch, Post } from '@nestjs/common';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { CurrentPrincipal, RequireTeamRole, UserOnly } from '../../common/decorators/auth.decorators';
import { CreateTeamDto, UpdateTeamDto } from './dto/teams.dto';
import { toTeamResponse } from './teams.mapper';
import { TeamsErrors } from './teams.errors';
import { TeamsService } from './teams.service';

/** Teams (§2.3). `GET /teams/:teamId` lives in the invitations module, which owns its pending invitations. */
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @UserOnly(TeamsErrors.onlyUsersCreate)
  async create(@CurrentPrincipal() who: UserPrincipal, @Body() body: CreateTeamDto) {
    return toTeamResponse(await this.teams.create(who, { name: body.name, slug: body.slug }));
  }

  @Patch(':teamId')
  @UserOnly(TeamsErrors.onlyUsersUpdate)
  @RequireTeamRole(TeamRole.Admin)
  async update(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Body() body: UpdateTeamDto) {
    return toTeamResponse(await this.teams.rename(who, teamId, body.name));
  }

  @Delete(':teamId')
  @UserOnly(TeamsErrors.onlyUsersDelete)
  @RequireTeamRole(TeamRole.Owner)
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string) {
    await this.teams.delete(who, teamId);
    return { deleted: true };
  }
}
