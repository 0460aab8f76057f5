import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { CurrentPrincipal, RequirePermissions, UserOnly } from '../../common/decorators/auth.decorators';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { ApiErrors, ApiOk } from '../../openapi/openapi.decorators';
import { listOf } from '../../openapi/schemas';
import { NOT_A_MEMBER } from '../teams/team-access.service';
import { CreateProjectDto, ListProjectsQuery, UpdateProjectDto } from './dto/projects.dto';
import { toProjectResponse } from './projects.mapper';
import { ProjectErrors } from './projects.errors';
import { ProjectsService } from './projects.service';

/** `GET /v1/projects/:id` embeds the project's apps, so it is served by the apps module (apps → projects). */
@ApiTags('Projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @RequirePermissions(Permission.ProjectsRead)
  @ApiOperation({ summary: 'Projects of the caller\'s teams, or of one team (created_at ascending)' })
  @ApiOk(listOf('projects', 'Project'))
  @ApiErrors([400, ProjectErrors.teamIdUuid])
  async list(@CurrentPrincipal() who: Principal, @Query() query: ListProjectsQuery) {
    return { projects: (await this.projects.list(who, query.team_id)).map(toProjectResponse) };
  }

  @Post()
  @RequirePermissions(Permission.ProjectsWrite)
  @ApiOperation({ summary: 'Create a project in a team' })
  @ApiOk('Project', 201)
  @ApiErrors(
    [
      400, ProjectErrors.createRequired, 'team_id must be a string', 'name must be a string', 'name must be at most 255 characters',
      'slug must be a string', 'slug must be at most 255 characters', ProjectErrors.slugFormat,
    ],
    [403, NOT_A_MEMBER, requiresRoleMessage(TeamRole.Admin)],
    [409, ProjectErrors.slugTaken],
  )
  async create(@CurrentPrincipal() who: Principal, @Body() body: CreateProjectDto) {
    return toProjectResponse(await this.projects.create(who, { teamId: body.team_id, name: body.name, slug: body.slug }));
  }

  @Patch(':id')
  @RequirePermissions(Permission.ProjectsWrite)
  @ApiOperation({ summary: 'Rename a project (the slug never changes)' })
  @ApiOk('Project')
  @ApiErrors(
    [400, ProjectErrors.updateRequired, 'name must be a string', 'name must be at most 255 characters'],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, ProjectErrors.notFound],
  )
  async update(@CurrentPrincipal() who: Principal, @Param('id') id: string, @Body() body: UpdateProjectDto) {
    return toProjectResponse(await this.projects.rename(who, id, body.name));
  }

  @Delete(':id')
  @RequirePermissions(Permission.ProjectsWrite)
  @UserOnly(ProjectErrors.onlyUsersDelete)
  @ApiOperation({ summary: 'Delete a project with its apps and their API keys' })
  @ApiOk('Deleted')
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)], [404, ProjectErrors.notFound])
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.projects.delete(who, id);
    return { deleted: true };
  }
}
