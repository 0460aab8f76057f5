import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { UserPrincipal } from '../../common/auth/principal';
import { CurrentPrincipal, UserOnly } from '../../common/decorators/auth.decorators';
import { toApiKeyResponse } from '../keys/api-keys.mapper';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto, ListApiKeysQuery, UpdateApiKeyDto } from './dto/api-keys.dto';

@Controller('auth/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @UserOnly('Only users can list API keys')
  async list(@CurrentPrincipal() who: UserPrincipal, @Query() query: ListApiKeysQuery) {
    return { api_keys: (await this.keys.list(who, query.team_id)).map(toApiKeyResponse) };
  }

  @Get(':id')
  @UserOnly('Only users can view API keys')
  async get(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    return { api_key: toApiKeyResponse(await this.keys.get(who, id)) };
  }

  @Post()
  @UserOnly('Only users can create API keys')
  async create(@CurrentPrincipal() who: UserPrincipal, @Body() body: CreateApiKeyDto) {
    const { key, view } = await this.keys.create(who, {
      name: body.name, keyType: body.key_type, appId: body.app_id, teamId: body.team_id,
      permissions: body.permissions, expiresInDays: body.expires_in_days,
    });
    return { key, api_key: toApiKeyResponse(view) };
  }

  @Patch(':id')
  @UserOnly('Only users can update API keys')
  async update(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string, @Body() body: UpdateApiKeyDto) {
    return { api_key: toApiKeyResponse(await this.keys.update(who, id, { name: body.name, permissions: body.permissions })) };
  }

  @Delete(':id')
  @UserOnly('Only users can delete API keys')
  async revoke(@CurrentPrincipal() who: UserPrincipal, @Param('id') id: string) {
    await this.keys.revoke(who, id);
    return { deleted: true };
  }
}
