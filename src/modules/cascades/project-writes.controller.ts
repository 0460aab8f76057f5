import { Body, Controller, Delete, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { CreateProjectDto } from '../projects/dto/projects.dto';
import { toProjectResponse } from '../projects/projects.mapper';
import { ProjectErrors } from '../projects/projects.errors';
import { NOT_A_MEMBER } from '../teams/team-access.service';
import { CreateProjectUseCase } from './create-project.usecase';
import { DeleteProjectUseCase } from './delete-project.usecase';

/** `POST /v1/projects` and `DELETE /v1/projects/:id` (§2.5): project writes that reach what hangs off a project. */
@ApiTags('Projects')
@Controller('projects')
export class ProjectWritesController {
  constructor(
    private readonly createProject: CreateProjectUseCase,
    private readonly deleteProject: DeleteProjectUseCase,
  ) {}

  @Post()
  @Access({ permissions: [Permission.ProjectsWrite] })
  @ApiOperation({ summary: 'Create a project in a team' })
  @ApiOk('Project', 201)
  @ApiErrors(
    [
      400,
      ProjectErrors.createRequired,
      'team_id must be a string',
      'name must be a string',
      'name must be at most 255 characters',
      'slug must be a string',
      'slug must be at most 255 characters',
      ProjectErrors.slugFormat,
    ],
    [403, NOT_A_MEMBER, requiresRoleMessage(TeamRole.Admin)],
    [409, ProjectErrors.slugTaken],
  )
  async create(@CurrentPrincipal() who: Principal, @Body() body: CreateProjectDto) {
    return toProjectResponse(await this.createProject.execute(who, { teamId: body.team_id, name: body.name, slug: body.slug }));
  }

  @Delete(':id')
  @Access({ permissions: [Permission.ProjectsWrite], usersOnly: ProjectErrors.onlyUsersDelete })
  @ApiOperation({ summary: 'Delete a project with its apps, their API keys and its metric and funnel definitions' })
  @ApiOk('Deleted')
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)], [404, ProjectErrors.notFound])
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.deleteProject.execute(who, id);
    return { deleted: true };
  }
}
