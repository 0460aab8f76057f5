import { BadRequestException, Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { ProjectErrors } from '../projects/projects.errors';
import { CreateMetricDefinitionDto, RawJsonBody, UPDATE_METRIC_DEFINITION_SCHEMA } from './dto/metric-definitions.dto';
import { ListMetricEventsQueryDto, MetricQueryDto } from './dto/metric-queries.dto';
import { parseDefinitionPatch } from './metric-rules';
import { MetricEventPageResponse, MetricQueryResponse, toMetricDefinitionResponse } from './metrics.mapper';
import { MetricErrors } from './metrics.errors';
import { MetricDefinitionListSchema, MetricDefinitionSchema, MetricEventPageSchema, MetricQueryResultSchema } from './metrics.schemas';
import { MetricsQueryService } from './metrics-query.service';
import { MetricsService } from './metrics.service';

const SLUG_PARAM = { name: 'slug', description: 'Metric slug, taken literally (an unknown slug finds nothing).' };

/** §2.12 routes under a project: definitions by slug, raw metric rows and the aggregation query. */
@ApiTags('Metrics')
@Controller('projects/:projectId/metrics')
export class ProjectMetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queries: MetricsQueryService,
  ) {}

  @Get()
  @Access({ permissions: [Permission.MetricsRead] })
  @ApiOperation({ summary: 'Metric definitions of a project (created_at ascending)' })
  @ApiOk(MetricDefinitionListSchema)
  @ApiErrors([404, ProjectErrors.notFound])
  async list(@CurrentPrincipal() who: Principal, @Param('projectId') projectId: string) {
    return { metrics: (await this.metrics.list(who, projectId)).map(toMetricDefinitionResponse) };
  }

  @Post()
  @Access({ permissions: [Permission.MetricsWrite] })
  @ApiOperation({ summary: 'Create a metric definition' })
  @ApiOk(MetricDefinitionSchema, 201)
  @ApiErrors(
    [
      400,
      MetricErrors.createRequired,
      'name must be a string',
      'name must be at most 255 characters',
      'slug must be a string',
      'slug must be at most 255 characters',
      'description must be a string',
      'description must be at most 10000 characters',
      'documentation must be a string',
      'documentation must be at most 100000 characters',
      'schema_definition must be an object',
      'aggregation_rules must be an object',
      MetricErrors.slugFormat,
    ],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, ProjectErrors.notFound],
    [409, MetricErrors.slugTaken],
  )
  async create(@CurrentPrincipal() who: Principal, @Param('projectId') projectId: string, @Body() body: CreateMetricDefinitionDto) {
    const definition = await this.metrics.create(who, projectId, {
      name: body.name,
      slug: body.slug,
      description: body.description ?? null,
      documentation: body.documentation ?? null,
      schemaDefinition: body.schema_definition ?? null,
      aggregationRules: body.aggregation_rules ?? null,
    });
    return toMetricDefinitionResponse(definition);
  }

  @Get(':slug')
  @Access({ permissions: [Permission.MetricsRead] })
  @ApiOperation({ summary: 'One metric definition by slug' })
  @ApiParam(SLUG_PARAM)
  @ApiOk(MetricDefinitionSchema)
  @ApiErrors([404, ProjectErrors.notFound, MetricErrors.notFound])
  async get(@CurrentPrincipal() who: Principal, @Param('projectId') projectId: string, @Param('slug') slug: string) {
    return toMetricDefinitionResponse(await this.metrics.get(who, projectId, slug));
  }

  @Patch(':slug')
  @Access({ permissions: [Permission.MetricsWrite] })
  @ApiOperation({ summary: 'Update a metric definition (the slug never changes)' })
  @ApiParam(SLUG_PARAM)
  @ApiBody({ schema: UPDATE_METRIC_DEFINITION_SCHEMA })
  @ApiOk(MetricDefinitionSchema)
  @ApiErrors(
    [
      400,
      MetricErrors.updateRequired,
      'name must be a string',
      'name must be at most 255 characters',
      'description must be a string',
      'description must be at most 10000 characters',
      'documentation must be a string',
      'documentation must be at most 100000 characters',
      'schema_definition must be an object',
      'aggregation_rules must be an object',
      'status must be a string',
      MetricErrors.status,
    ],
    [403, requiresRoleMessage(TeamRole.Admin)],
    [404, ProjectErrors.notFound, MetricErrors.notFound],
  )
  async update(
    @CurrentPrincipal() who: Principal,
    @Param('projectId') projectId: string,
    @Param('slug') slug: string,
    @RawJsonBody() body: Record<string, unknown>,
  ) {
    const parsed = parseDefinitionPatch(body);
    if (!parsed.ok) throw new BadRequestException(parsed.error);
    return toMetricDefinitionResponse(await this.metrics.update(who, projectId, slug, parsed.patch));
  }

  @Delete(':slug')
  @Access({ permissions: [Permission.MetricsWrite], usersOnly: MetricErrors.onlyUsersDelete })
  @ApiOperation({ summary: 'Delete a metric definition (soft; the slug is free again at once, metric rows stay)' })
  @ApiParam(SLUG_PARAM)
  @ApiOk('Deleted')
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)], [404, ProjectErrors.notFound, MetricErrors.notFound])
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('projectId') projectId: string, @Param('slug') slug: string) {
    await this.metrics.delete(who, projectId, slug);
    return { deleted: true };
  }

  @Get(':slug/events')
  @Access({ permissions: [Permission.MetricsRead] })
  @ApiOperation({ summary: 'Metric rows of one metric, newest first (cursor pages)' })
  @ApiParam(SLUG_PARAM)
  @ApiOk(MetricEventPageSchema)
  @ApiErrors(
    [
      400,
      MetricErrors.phase,
      MetricErrors.trackingIdUuid,
      MetricErrors.environment,
      MetricErrors.since,
      MetricErrors.until,
      MetricErrors.dataMode,
      MetricErrors.invalidCursor,
    ],
    [404, ProjectErrors.notFound],
  )
  events(
    @CurrentPrincipal() who: Principal,
    @Param('projectId') projectId: string,
    @Param('slug') slug: string,
    @Query() q: ListMetricEventsQueryDto,
  ): Promise<MetricEventPageResponse> {
    return this.queries.listEvents(who, projectId, slug, q);
  }

  @Get(':slug/query')
  @Access({ permissions: [Permission.MetricsRead] })
  @ApiOperation({ summary: 'Aggregate one metric: counts per phase, success rate, exact duration percentiles, errors, groups' })
  @ApiParam(SLUG_PARAM)
  @ApiOk(MetricQueryResultSchema)
  @ApiErrors(
    [
      400,
      MetricErrors.since,
      MetricErrors.until,
      MetricErrors.appIdUuid,
      MetricErrors.environment,
      MetricErrors.dataMode,
      MetricErrors.groupBy('<value>'),
      MetricErrors.tz,
    ],
    [404, ProjectErrors.notFound],
  )
  query(
    @CurrentPrincipal() who: Principal,
    @Param('projectId') projectId: string,
    @Param('slug') slug: string,
    @Query() q: MetricQueryDto,
  ): Promise<MetricQueryResponse> {
    return this.queries.query(who, projectId, slug, q);
  }
}

/** `GET /v1/metrics/by-id/:id` (§2.12.2). */
@ApiTags('Metrics')
@Controller('metrics')
export class MetricsByIdController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('by-id/:id')
  @Access({ permissions: [Permission.MetricsRead] })
  @ApiOperation({ summary: 'One metric definition by id' })
  @ApiOk(MetricDefinitionSchema)
  @ApiErrors([404, MetricErrors.notFound])
  async get(@CurrentPrincipal() who: Principal, @Param('id') id: string) {
    return toMetricDefinitionResponse(await this.metrics.getById(who, id));
  }
}
