import { Controller, Get, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { DECORATORS } from '@nestjs/swagger';
import { Permission } from '../auth/permission';
import { TeamRole } from '../auth/team-role';
import { Access } from '../decorators/auth.decorators';
import { IsAnyJson, IsArrayValue, IsBool, IsInteger, IsOneOf, IsText, IsUuidText, RequireFields } from '../pipes/validation';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { accessSummary, frameworkErrors, routeAccess } from './access';

@RequireFields(['name'], 'name is required')
class Thing {
  @IsText() name: string;
  @IsText({ max: Number.MAX_SAFE_INTEGER }) note?: string;
  @IsUuidText() ref?: string;
  @IsOneOf(['a', 'b'], 'kind must be a or b') kind?: string;
  @IsBool() on?: boolean;
  @IsInteger({ min: 1, max: 5 }) count?: number;
  @IsArrayValue() tags?: unknown;
  @IsAnyJson({ type: 'string', format: 'email' }) email?: unknown;
  @IsAnyJson() raw?: string;
}

/** The swagger metadata of a property (`isArray: false` is the decorator's default and says nothing). */
const property = (name: keyof Thing): unknown => {
  const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, Thing.prototype, name) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(meta).filter(([k, v]) => !(k === 'isArray' && v === false)));
};

@Controller('things')
@Access({ permissions: [Permission.AppsRead] })
class ThingsController {
  @Get()
  list(): void {}

  @Post()
  @Access({ permissions: [Permission.AppsRead], usersOnly: 'Only users can make things', teamRole: TeamRole.Admin })
  create(): void {}

  @Post('quiet')
  @Access({ public: true })
  @RouteConfig({ ignoreBody: true })
  quiet(): void {}

  @Get('limited')
  @UseGuards(RateLimitGuard)
  limited(): void {}

  @Post('send')
  @Access({ permissions: [Permission.EventsWrite] })
  send(): void {}
}

const TEXTS = {
  unauthenticated: [
    'Missing authorization',
    'Invalid authorization format',
    'Invalid API key',
    'API key expired',
    'Invalid or expired token',
  ],
  notAMember: 'Not a member of this team',
};

const access = (method: keyof ThingsController) => routeAccess(ThingsController, ThingsController.prototype[method]);

describe('OpenAPI metadata of the contract field decorators', () => {
  it('documents each rule with its type and limits; @RequireFields marks the required ones', () => {
    expect(property('name')).toEqual({ type: 'string', maxLength: 255, required: true });
    expect(property('note')).toEqual({ type: 'string', required: false });
    expect(property('ref')).toEqual({ type: 'string', format: 'uuid', required: false });
    expect(property('kind')).toEqual({ type: 'string', enum: ['a', 'b'], required: false });
    expect(property('on')).toEqual({ type: 'boolean', required: false });
    expect(property('count')).toEqual({ type: 'integer', minimum: 1, maximum: 5, required: false });
    expect(property('tags')).toEqual({ type: 'array', items: {}, required: false });
    expect(property('email')).toEqual({ type: 'string', format: 'email', required: false });
    expect(property('raw')).toEqual({ type: String, required: false });
  });
});

describe('routeAccess / frameworkErrors', () => {
  it("reads the handler's @Access declaration (else the class's), in guard order", () => {
    expect(access('list').rule).toEqual({ permissions: [Permission.AppsRead] });
    expect(access('create')).toEqual({
      rule: { permissions: [Permission.AppsRead], usersOnly: 'Only users can make things', teamRole: TeamRole.Admin },
      isPublic: false,
      permissions: [Permission.AppsRead],
      userOnly: 'Only users can make things',
      teamRole: { role: TeamRole.Admin, param: 'teamId' },
      clientKeyOnly: false,
      rateLimited: false,
      readsBody: true,
    });
    expect(frameworkErrors(access('create'), TEXTS)).toEqual(
      new Map([
        [400, ['Malformed JSON body', 'Request body must be a JSON object', 'Invalid compressed body']],
        [413, ['Payload too large', 'Compressed payload too large', 'Decompressed payload too large']],
        [415, ['Unsupported media type', 'Unsupported content encoding']],
        [401, ['Missing authorization', 'Invalid authorization format', 'Invalid API key', 'API key expired', 'Invalid or expired token']],
        [
          403,
          ['Missing permission: apps:read', 'Only users can make things', 'Not a member of this team', 'Requires admin role or higher'],
        ],
        [500, ['Internal server error']],
      ]),
    );
    expect(accessSummary(access('create'))).toBe(
      'Users only (a session JWT as Bearer token or `token` cookie); API keys get 403 "Only users can make things". ' +
        'Users need the `admin` role or higher in team `{teamId}`; API keys only reach their own team. API keys need: `apps:read`.',
    );
  });

  it('knows public routes that read no body, and rate-limited ones', () => {
    expect(frameworkErrors(access('quiet'), TEXTS)).toEqual(new Map([[500, ['Internal server error']]]));
    expect(accessSummary(access('quiet'))).toBe('No authentication.');
    expect(access('limited').rateLimited).toBe(true);
    expect(frameworkErrors(access('limited'), TEXTS).get(429)).toEqual(['Rate limit exceeded']);
    expect(access('list').rateLimited).toBe(false);
  });

  it('knows the operations only client keys can call (their permissions are client-only ones)', () => {
    expect(access('send').clientKeyOnly).toBe(true);
    expect(accessSummary(access('send'))).toMatch(/^Client keys only: send an app's `client_key`/);
    expect(accessSummary(access('send'))).not.toContain('events:write');
    expect(access('list').clientKeyOnly).toBe(false);
    expect(access('quiet').clientKeyOnly).toBe(false);
  });
});
