import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { listOf, pageOf } from '../../common/openapi/schemas';
import { ProjectErrors } from '../projects/projects.errors';
import { AppUsersService } from './app-users.service';
import { toAppResponse, toAppUserResponse } from './apps.mapper';
import { AppErrors } from './apps.errors';
import { AppsService } from './apps.service';
import { CreateAppDto, ListAppUsersQuery, ListAppsQuery, UpdateAppDto } from './dto/apps.dto';

@ApiTags('Apps')
@Controller('apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly appUsers: AppUsersService,
  ) {}

  @Get()
  @Access({ permissions: [Permission.AppsRead] })
  @ApiOperation({ summary: "Apps of the caller's teams, or of one team (created_at ascending)" })
  @ApiOk(listOf('apps', 'App'))
  @ApiErrors([400, AppErrors.teamIdUuid])
  async list(@CurrentPrincipal() who: Principal, @Query() query: ListAppsQuery) {
    return { apps: (await this.apps.list(who, query.team_id)).map(toAppResponse) };
  }

  @Get(':id')
  @Access({ permissions: [Permission.AppsRead] })
  @ApiOperation({ summary: 'One app' })
  @ApiOk('App')
  @ApiErrors([404, AppErrors.notFound])
  async get(@CurrentPrincipal() who: Principal, @Param('id') id: string) {
    return toAppResponse(await this.apps.get(who, id));
  }

  @Post()
  @Access({ permissions: [Permission.AppsWrite] })
  @ApiOperation({ summary: 'Create an app in a project, with its client key' })
  @ApiOk('App', 201)
  @ApiErrors(
    [
      400,
      AppErrors.createRequired,
      'name must be a string',
      'name must be at most 255 characters',
      'platform must be a string',
      'bundle_id must be a string',
      'bundle_id must be at most 255 characters',
      'project_id must be a string',
      AppErrors.invalidPlatform,
      AppErrors.bundleIdRequired,
    ],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, ProjectErrors.notFound],
  )
  async create(@CurrentPrincipal() who: Principal, @Body() body: CreateAppDto) {
    const app = await this.apps.create(who, {
      name: body.name,
      platform: body.platform,
      bundleId: body.bundle_id,
      projectId: body.project_id,
    });
    return toAppResponse(app);
  }

  @Patch(':id')
  @Access({ permissions: [Permission.AppsWrite] })
  @ApiOperation({ summary: 'Rename an app (platform and bundle_id never change)' })
  @ApiOk('App')
  @ApiErrors(
    [400, AppErrors.updateRequired, 'name must be a string', 'name must be at most 255 characters'],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, AppErrors.notFound],
  )
  async update(@CurrentPrincipal() who: Principal, @Param('id') id: string, @Body() body: UpdateAppDto) {
    return toAppResponse(await this.apps.rename(who, id, body.name));
  }

  @Delete(':id')
  @Access({ permissions: [Permission.AppsWrite], usersOnly: AppErrors.onlyUsersDelete })
  @ApiOperation({ summary: 'Delete an app and its API keys' })
  @ApiOk('Deleted')
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)], [404, AppErrors.notFound])
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.apps.delete(who, id);
    return { deleted: true };
  }

  @Get(':id/users')
  @Access({ permissions: [Permission.AppsRead] })
  @ApiOperation({ summary: 'Users seen by an app, most recently seen first (cursor pages)' })
  @ApiOk(pageOf('users', 'AppUser'))
  @ApiErrors([400, AppErrors.isAnonymous, AppErrors.invalidCursor], [404, AppErrors.notFound])
  async users(@CurrentPrincipal() who: Principal, @Param('id') id: string, @Query() query: ListAppUsersQuery) {
    const page = await this.appUsers.list(who, id, {
      search: query.search,
      isAnonymous: query.is_anonymous === undefined ? undefined : query.is_anonymous === 'true',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { users: page.items.map(toAppUserResponse), cursor: page.cursor, has_more: page.has_more };
  }
}
