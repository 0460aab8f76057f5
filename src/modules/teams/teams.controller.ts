import { Body, Controller, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { CreateTeamDto, UpdateTeamDto } from './dto/teams.dto';
import { toTeamResponse } from './teams.mapper';
import { TeamsErrors } from './teams.errors';
import { TeamsService } from './teams.service';

/**
 * Teams (§2.3). `GET /teams/:teamId` lives in the invitations module, which owns its pending invitations;
 * `DELETE /teams/:teamId` in the cascades module, which owns everything a deletion reaches.
 */
@ApiTags('Teams')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @Access({ usersOnly: TeamsErrors.onlyUsersCreate })
  @ApiOperation({ summary: 'Create a team; the caller becomes its owner' })
  @ApiOk('Team', 201)
  @ApiErrors(
    [400, TeamsErrors.nameAndSlugRequired, 'name must be a string', 'name must be at most 255 characters', TeamsErrors.invalidSlug],
    [409, TeamsErrors.slugTaken],
  )
  async create(@CurrentPrincipal() who: UserPrincipal, @Body() body: CreateTeamDto) {
    return toTeamResponse(await this.teams.create(who, { name: body.name, slug: body.slug }));
  }

  @Patch(':teamId')
  @Access({ usersOnly: TeamsErrors.onlyUsersUpdate, teamRole: TeamRole.Admin })
  @ApiOperation({ summary: 'Rename a team (the slug never changes)' })
  @ApiOk('Team')
  @ApiErrors(
    [400, TeamsErrors.noFieldToUpdate, 'name must be a string', 'name must be at most 255 characters'],
    [404, TeamsErrors.teamNotFound],
  )
  async update(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Body() body: UpdateTeamDto) {
    return toTeamResponse(await this.teams.rename(who, teamId, body.name));
  }
}
