import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { listOf } from '../../common/openapi/schemas';
import { ListProjectsQuery, UpdateProjectDto } from './dto/projects.dto';
import { toProjectResponse } from './projects.mapper';
import { ProjectErrors } from './projects.errors';
import { ProjectsService } from './projects.service';

/**
 * `GET /v1/projects/:id` embeds the project's apps, so it is served by the apps module (apps → projects);
 * `POST /v1/projects` and `DELETE /v1/projects/:id` reach apps, events and definitions, so they are use cases
 * of the cascades module.
 */
@ApiTags('Projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @Access({ permissions: [Permission.ProjectsRead] })
  @ApiOperation({ summary: "Projects of the caller's teams, or of one team (created_at ascending)" })
  @ApiOk(listOf('projects', 'Project'))
  @ApiErrors([400, ProjectErrors.teamIdUuid])
  async list(@CurrentPrincipal() who: Principal, @Query() query: ListProjectsQuery) {
    return { projects: (await this.projects.list(who, query.team_id)).map(toProjectResponse) };
  }

  @Patch(':id')
  @Access({ permissions: [Permission.ProjectsWrite] })
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
}
