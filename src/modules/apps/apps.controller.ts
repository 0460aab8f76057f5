import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { CurrentPrincipal, RequirePermissions, UserOnly } from '../../common/decorators/auth.decorators';
import { AppUsersService } from './app-users.service';
import { toAppResponse, toAppUserResponse } from './apps.mapper';
import { AppErrors } from './apps.errors';
import { AppsService } from './apps.service';
import { CreateAppDto, ListAppUsersQuery, ListAppsQuery, UpdateAppDto } from './dto/apps.dto';

@Controller('apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly appUsers: AppUsersService,
  ) {}

  @Get()
  @RequirePermissions(Permission.AppsRead)
  async list(@CurrentPrincipal() who: Principal, @Query() query: ListAppsQuery) {
    return { apps: (await this.apps.list(who, query.team_id)).map(toAppResponse) };
  }

  @Get(':id')
  @RequirePermissions(Permission.AppsRead)
  async get(@CurrentPrincipal() who: Principal, @Param('id') id: string) {
    return toAppResponse(await this.apps.get(who, id));
  }

  @Post()
  @RequirePermissions(Permission.AppsWrite)
  async create(@CurrentPrincipal() who: Principal, @Body() body: CreateAppDto) {
    const app = await this.apps.create(who, {
      name: body.name, platform: body.platform, bundleId: body.bundle_id, projectId: body.project_id,
    });
    return toAppResponse(app);
  }

  @Patch(':id')
  @RequirePermissions(Permission.AppsWrite)
  async update(@CurrentPrincipal() who: Principal, @Param('id') id: string, @Body() body: UpdateAppDto) {
    return toAppResponse(await this.apps.rename(who, id, body.name));
  }

  @Delete(':id')
  @RequirePermissions(Permission.AppsWrite)
  @UserOnly(AppErrors.onlyUsersDelete)
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.apps.delete(who, id);
    return { deleted: true };
  }

  @Get(':id/users')
  @RequirePermissions(Permission.AppsRead)
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
