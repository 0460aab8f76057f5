import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { ProjectErrors } from '../projects/projects.errors';
import { toProjectResponse } from '../projects/projects.mapper';
import { ProjectsService } from '../projects/projects.service';
import { toAppResponse } from './apps.mapper';
import { AppsService } from './apps.service';

/**
 * `GET /v1/projects/:id`: the project with its live apps (SPEC §2.5). It lives here rather than in the
 * projects module because apps depend on projects, never the other way round.
 */
@ApiTags('Projects')
@Controller('projects')
export class ProjectAppsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly apps: AppsService,
  ) {}

  @Get(':id')
  @Access({ permissions: [Permission.ProjectsRead] })
  @ApiOperation({ summary: 'A project with its apps' })
  @ApiOk('ProjectDetails')
  @ApiErrors([404, ProjectErrors.notFound])
  async get(@CurrentPrincipal() who: Principal, @Param('id') id: string) {
    const project = await this.projects.get(who, id);
    const apps = await this.apps.listForProject(project);
    return { ...toProjectResponse(project), apps: apps.map(toAppResponse) };
  }
}
