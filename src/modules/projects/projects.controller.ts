import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { CurrentPrincipal, RequirePermissions, UserOnly } from '../../common/decorators/auth.decorators';
import { CreateProjectDto, ListProjectsQuery, UpdateProjectDto } from './dto/projects.dto';
import { toProjectResponse } from './projects.mapper';
import { ProjectErrors } from './projects.errors';
import { ProjectsService } from './projects.service';

/** `GET /v1/projects/:id` embeds the project's apps, so it is served by the apps module (apps → projects). */
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @RequirePermissions(Permission.ProjectsRead)
  async list(@CurrentPrincipal() who: Principal, @Query() query: ListProjectsQuery) {
    return { projects: (await this.projects.list(who, query.team_id)).map(toProjectResponse) };
  }

  @Post()
  @RequirePermissions(Permission.ProjectsWrite)
  async create(@CurrentPrincipal() who: Principal, @Body() body: CreateProjectDto) {
    return toProjectResponse(await this.projects.create(who, { teamId: body.team_id, name: body.name, slug: body.slug }));
  }

  @Patch(':id')
  @RequirePermissions(Permission.ProjectsWrite)
  async update(@CurrentPrincipal() who: Principal, @Param('id') id: string, @Body() body: UpdateProjectDto) {
    return toProjectResponse(await this.projects.rename(who, id, body.name));
  }

  @Delete(':id')
  @RequirePermissions(Permission.ProjectsWrite)
  @UserOnly(ProjectErrors.onlyUsersDelete)
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.projects.delete(who, id);
    return { deleted: true };
  }
}
