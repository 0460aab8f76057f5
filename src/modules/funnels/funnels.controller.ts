import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { ProjectErrors } from '../projects/projects.errors';
import { CreateFunnelDto, FunnelQueryDto, UpdateFunnelDto } from './dto/funnels.dto';
import { FunnelQueryService } from './funnel-query.service';
import { FunnelErrors } from './funnels.errors';
import { toFunnelResponse } from './funnels.mapper';
import { FUNNEL_DEFINITION_SCHEMA, FUNNEL_LIST_SCHEMA, FUNNEL_QUERY_SCHEMA } from './funnels.schemas';
import { FunnelsService } from './funnels.service';

const STEP_ERRORS = [
  'steps must be a non-empty array',
  'Maximum 20 steps allowed',
  'steps[<i>]: must be an object',
  'steps[<i>]: name is required',
  'steps[<i>]: name must be at most 255 characters',
  'steps[<i>]: event_filter is required',
  'steps[<i>]: event_filter.<field> must be a string',
  'steps[<i>]: event_filter must have at least message or screen_name',
  'steps[<i>]: event_filter.<field> must be at most <n> characters',
];

const SLUG_PARAM = { name: 'slug', description: 'Funnel slug, taken literally (an unknown slug finds nothing).' };

/** Funnel definitions and the funnel query. */
@ApiTags('Funnels')
@Controller()
export class FunnelsController {
  constructor(
    private readonly funnels: FunnelsService,
    private readonly queries: FunnelQueryService,
  ) {}

  @Get('projects/:projectId/funnels')
  @Access({ permissions: [Permission.FunnelsRead] })
  @ApiOperation({ summary: 'Funnel definitions of a project (created_at ascending)' })
  @ApiOk(FUNNEL_LIST_SCHEMA)
  @ApiErrors([404, ProjectErrors.notFound])
  async list(@CurrentPrincipal() who: Principal, @Param('projectId') projectId: string) {
    return { funnels: (await this.funnels.list(who, projectId)).map(toFunnelResponse) };
  }

  @Get('projects/:projectId/funnels/:slug')
  @Access({ permissions: [Permission.FunnelsRead] })
  @ApiOperation({ summary: 'One funnel definition by slug' })
  @ApiParam(SLUG_PARAM)
  @ApiOk(FUNNEL_DEFINITION_SCHEMA)
  @ApiErrors([404, ProjectErrors.notFound, FunnelErrors.notFound])
  async get(@CurrentPrincipal() who: Principal, @Param('projectId') projectId: string, @Param('slug') slug: string) {
    return toFunnelResponse(await this.funnels.getBySlug(who, projectId, slug));
  }

  @Get('funnels/by-id/:id')
  @Access({ permissions: [Permission.FunnelsRead] })
  @ApiOperation({ summary: 'One funnel definition by id' })
  @ApiOk(FUNNEL_DEFINITION_SCHEMA)
  @ApiErrors([404, FunnelErrors.notFound])
  async getById(@CurrentPrincipal() who: Principal, @Param('id') id: string) {
    return toFunnelResponse(await this.funnels.getById(who, id));
  }

  @Post('projects/:projectId/funnels')
  @Access({ permissions: [Permission.FunnelsWrite] })
  @ApiOperation({ summary: 'Create a funnel definition' })
  @ApiOk(FUNNEL_DEFINITION_SCHEMA, 201)
  @ApiErrors(
    [
      400,
      FunnelErrors.createRequired,
      'name must be a string',
      'name must be at most 255 characters',
      'slug must be a string',
      'slug must be at most 255 characters',
      'description must be a string',
      'description must be at most 10000 characters',
      FunnelErrors.slugFormat,
      ...STEP_ERRORS,
    ],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, ProjectErrors.notFound],
    [409, FunnelErrors.slugTaken],
  )
  async create(@CurrentPrincipal() who: Principal, @Param('projectId') projectId: string, @Body() body: CreateFunnelDto) {
    const funnel = await this.funnels.create(who, projectId, {
      name: body.name,
      slug: body.slug,
      description: body.description,
      steps: body.steps,
    });
    return toFunnelResponse(funnel);
  }

  @Patch('projects/:projectId/funnels/:slug')
  @Access({ permissions: [Permission.FunnelsWrite] })
  @ApiOperation({ summary: 'Update a funnel definition (name, description, steps; the slug never changes)' })
  @ApiParam(SLUG_PARAM)
  @ApiOk(FUNNEL_DEFINITION_SCHEMA)
  @ApiErrors(
    [
      400,
      FunnelErrors.updateRequired,
      'name must be a string',
      'name must be at most 255 characters',
      'description must be a string',
      'description must be at most 10000 characters',
      ...STEP_ERRORS,
    ],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, ProjectErrors.notFound, FunnelErrors.notFound],
  )
  async update(
    @CurrentPrincipal() who: Principal,
    @Param('projectId') projectId: string,
    @Param('slug') slug: string,
    @Body() body: UpdateFunnelDto,
    // The normalised body drops `null`/`""`, which PATCH treats as values for `description` (clear / store "").
    @Body('description') rawDescription: unknown,
  ) {
    const description =
      body.description !== undefined ? body.description : rawDescription === null || rawDescription === '' ? rawDescription : undefined;
    const funnel = await this.funnels.update(who, projectId, slug, { name: body.name, description, steps: body.steps });
    return toFunnelResponse(funnel);
  }

  @Delete('projects/:projectId/funnels/:slug')
  @Access({ permissions: [Permission.FunnelsWrite], usersOnly: FunnelErrors.onlyUsersDelete })
  @ApiOperation({ summary: 'Delete a funnel definition (its slug is free again at once)' })
  @ApiParam(SLUG_PARAM)
  @ApiOk('Deleted')
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)], [404, ProjectErrors.notFound, FunnelErrors.notFound])
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('projectId') projectId: string, @Param('slug') slug: string) {
    await this.funnels.delete(who, projectId, slug);
    return { deleted: true };
  }

  @Get('projects/:projectId/funnels/:slug/query')
  @Access({ permissions: [Permission.FunnelsRead] })
  @ApiOperation({
    summary: 'Unique users per funnel step (closed or open mode), optionally broken down by environment, app version or experiment',
  })
  @ApiParam(SLUG_PARAM)
  @ApiOk(FUNNEL_QUERY_SCHEMA)
  @ApiErrors(
    [
      400,
      FunnelErrors.since,
      FunnelErrors.until,
      FunnelErrors.appId,
      FunnelErrors.environment,
      FunnelErrors.experiment,
      FunnelErrors.mode,
      FunnelErrors.groupBy,
      FunnelErrors.dataMode,
      FunnelErrors.conversionWindow,
      FunnelErrors.conversionWindowOpen,
    ],
    [404, ProjectErrors.notFound, FunnelErrors.notFound],
  )
  query(
    @CurrentPrincipal() who: Principal,
    @Param('projectId') projectId: string,
    @Param('slug') slug: string,
    @Query() params: FunnelQueryDto,
  ) {
    return this.queries.query(who, projectId, slug, params);
  }
}
