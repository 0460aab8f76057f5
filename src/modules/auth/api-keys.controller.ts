import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserPrincipal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { listOf, wrapped } from '../../common/openapi/schemas';
import { toApiKeyResponse } from '../keys/api-keys.mapper';
import { NOT_A_MEMBER } from '../teams/team-access.service';
import { AuthErrors } from './auth.errors';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto, ListApiKeysQuery, UpdateApiKeyDto } from './dto/api-keys.dto';

/** Permission-list problems of §1.8, in the order they are checked (answered after the role check). */
const PERMISSION_LIST_ERRORS = [
  'permissions must be an array of strings',
  'At least one permission is required',
  'Duplicate permissions are not allowed',
  'Unknown permission: <p>',
  'Permission "<p>" is not allowed for <key_type> keys',
];

@ApiTags('API keys')
@Controller('auth/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @Access({ usersOnly: 'Only users can list API keys' })
  @ApiOperation({ summary: "Keys of all the caller's teams, or of one team (created_at ascending)" })
  @ApiOk(listOf('api_keys', 'ApiKey'))
  @ApiErrors([400, 'team_id must be a valid UUID'])
  async list(@CurrentPrincipal() who: UserPrincipal, @Query() query: ListApiKeysQuery) {
    return { api_keys: (await this.keys.list(who, query.team_id)).map(toApiKeyResponse) };
  }

  @Get(':id')
  @Access({ usersOnly: 'Only users can view API keys' })
  @ApiOperation({ summary: 'One key' })
  @ApiOk(wrapped('api_key', 'ApiKey'))
  @ApiErrors([404, AuthErrors.apiKeyNotFound])
  async get(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    return { api_key: toApiKeyResponse(await this.keys.get(who, id)) };
  }

  @Post()
  @Access({ usersOnly: 'Only users can create API keys' })
  @ApiOperation({ summary: 'Create a key; the secret is returned only in this answer' })
  @ApiOk('CreatedApiKey', 201)
  @ApiErrors(
    [
      400,
      'name and key_type required',
      "key_type must be 'client' or 'agent'",
      'Client keys require an app_id',
      'Agent keys require a team_id or app_id',
      'name must be a string',
      'name must be at most 255 characters',
      'expires_in_days must be an integer between 1 and 3650',
      ...PERMISSION_LIST_ERRORS,
    ],
    [403, NOT_A_MEMBER, requiresRoleMessage(TeamRole.Admin)],
    [404, AuthErrors.appNotFound],
  )
  async create(@CurrentPrincipal() who: UserPrincipal, @Body() body: CreateApiKeyDto) {
    const { key, view } = await this.keys.create(who, {
      name: body.name,
      keyType: body.key_type,
      appId: body.app_id,
      teamId: body.team_id,
      permissions: body.permissions,
      expiresInDays: body.expires_in_days,
    });
    return { key, api_key: toApiKeyResponse(view) };
  }

  @Patch(':id')
  @Access({ usersOnly: 'Only users can update API keys' })
  @ApiOperation({ summary: 'Rename a key or replace its permissions' })
  @ApiOk(wrapped('api_key', 'ApiKey'))
  @ApiErrors(
    [
      400,
      'At least one field to update is required',
      'name must be a string',
      'name must be at most 255 characters',
      ...PERMISSION_LIST_ERRORS,
    ],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, AuthErrors.apiKeyNotFound],
  )
  async update(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string, @Body() body: UpdateApiKeyDto) {
    return { api_key: toApiKeyResponse(await this.keys.update(who, id, { name: body.name, permissions: body.permissions })) };
  }

  @Delete(':id')
  @Access({ usersOnly: 'Only users can delete API keys' })
  @ApiOperation({ summary: 'Revoke a key; it stops authenticating at once' })
  @ApiOk('Deleted')
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)], [404, AuthErrors.apiKeyNotFound])
  async revoke(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.keys.revoke(who, id);
    return { deleted: true };
  }
}
