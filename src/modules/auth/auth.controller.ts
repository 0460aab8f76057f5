import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Patch, Post, Res, UnauthorizedException } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UserPrincipal, Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { parseEmail } from '../../common/http/email';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ApiErrors, ApiOk, errorResponse } from '../../common/openapi/openapi.decorators';
import { listOf, object, ref, wrapped } from '../../common/openapi/schemas';
import { NOT_A_MEMBER } from '../teams/team-access.service';
import { toTeamMembershipResponse } from '../teams/teams.mapper';
import { toUserResponse } from '../users/users.mapper';
import { toSessionResponse, toWhoamiResponse } from './auth.mapper';
import { AuthErrors, SESSION_TTL_SECONDS, TOKEN_COOKIE } from './auth.errors';
import { AuthService } from './auth.service';
import { AgentLoginDto, SendCodeDto, UpdateMeDto, VerifyCodeDto } from './dto/auth.dto';

/**
 * The email of verify-code / agent-login by the one email rule. No code can exist for a string that is not one
 * address (send-code refuses it), so such a string fails exactly like a wrong code: 401 (SPEC §2.1 lists no 400
 * for it), without a database round trip and without touching any failure counter.
 */
function codeEmail(raw: string): string {
  const email = parseEmail(raw);
  if (!email) throw new UnauthorizedException(AuthErrors.invalidCode);
  return email;
}

@ApiTags('Auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      path: '/',
      secure: this.config.isProduction,
      ...(this.config.cookieDomain ? { domain: this.config.cookieDomain } : {}),
    };
  }

  @Access({ public: true })
  @Post('send-code')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mail a 6-digit sign-in code (valid 10 minutes)',
    description: 'The answer is the same whether or not an account exists.',
  })
  @ApiOk(object({ message: { type: 'string', enum: ['Verification code sent'] } }))
  @ApiErrors([400, AuthErrors.validEmailRequired], [429, AuthErrors.tooManyCodes], [502, AuthErrors.sendFailed])
  async sendCode(@Body() body: SendCodeDto) {
    const email = parseEmail(body.email);
    if (!email) throw new BadRequestException(AuthErrors.validEmailRequired);
    await this.auth.sendCode(email);
    return { message: 'Verification code sent' };
  }

  @Access({ public: true })
  @Post('verify-code')
  @ApiOperation({
    summary: 'Sign in with a code: returns a session JWT and sets the `token` cookie',
    description: 'A new user (201) gets a personal team they own.',
  })
  @ApiOk('Session', 200, 'Existing user')
  @ApiOk('Session', 201, 'New user')
  @ApiErrors([400, AuthErrors.emailAndCodeRequired, 'email must be a string', 'code must be a string'], [401, AuthErrors.invalidCode])
  async verifyCode(@Body() body: VerifyCodeDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const session = await this.auth.verifyCode(codeEmail(body.email), body.code);
    reply.status(session.isNewUser ? 201 : 200);
    reply.setCookie(TOKEN_COOKIE, session.token, { ...this.cookieOptions(), maxAge: SESSION_TTL_SECONDS });
    return toSessionResponse(session);
  }

  @Access({ public: true })
  @Post('agent-login')
  @ApiOperation({
    summary: 'Exchange a code for an agent key (CLI)',
    description: 'The code is consumed only when a key is issued: the 400 and 403 answers leave it usable.',
  })
  @ApiOk('AgentLogin', 201)
  @ApiResponse({
    status: 400,
    ...errorResponse(400, [AuthErrors.emailAndCodeRequired, 'email must be a string', 'code must be a string', AuthErrors.multipleTeams], {
      oneOf: [ref('ErrorResponse'), ref('MultipleTeamsError')],
    }),
  })
  @ApiErrors([401, AuthErrors.invalidCode], [403, AuthErrors.noTeamMembership, NOT_A_MEMBER])
  async agentLogin(@Body() body: AgentLoginDto) {
    const result = await this.auth.agentLogin(codeEmail(body.email), body.code, body.team_id);
    return { api_key: result.apiKey, team: result.team };
  }

  @Get('whoami')
  @Access({})
  @ApiOperation({ summary: 'Who is calling: a user with their teams, or an API key with its team and permissions' })
  @ApiOk({
    oneOf: [ref('WhoamiUser'), ref('WhoamiApiKey')],
    discriminator: { propertyName: 'type', mapping: { user: ref('WhoamiUser').$ref, api_key: ref('WhoamiApiKey').$ref } },
  })
  async whoami(@CurrentPrincipal() who: Principal) {
    return toWhoamiResponse(await this.auth.whoami(who));
  }

  @Get('me')
  @Access({ usersOnly: 'Only users can access this endpoint' })
  @ApiOperation({ summary: "The caller's profile and teams" })
  @ApiOk(object({ user: ref('User'), teams: { type: 'array', items: ref('TeamMembership') } }))
  @ApiErrors([404, AuthErrors.userNotFound])
  async me(@CurrentPrincipal() who: UserPrincipal) {
    const { user, teams } = await this.auth.me(who.userId);
    return { user: toUserResponse(user), teams: teams.map(toTeamMembershipResponse) };
  }

  @Patch('me')
  @Access({ usersOnly: 'Only users can update their profile' })
  @ApiOperation({ summary: 'Rename the caller' })
  @ApiOk(wrapped('user', 'User'))
  @ApiErrors([400, 'At least one field to update is required', 'name must be a string', 'name must be at most 255 characters'])
  async updateMe(@CurrentPrincipal() who: UserPrincipal, @Body() body: UpdateMeDto) {
    return { user: toUserResponse(await this.auth.rename(who, body.name)) };
  }

  @Get('teams')
  @Access({ usersOnly: 'Only users can list teams' })
  @ApiOperation({ summary: "The caller's teams (oldest membership first)" })
  @ApiOk(listOf('teams', 'TeamMembership'))
  async teams(@CurrentPrincipal() who: UserPrincipal) {
    return { teams: (await this.auth.memberships(who.userId)).map(toTeamMembershipResponse) };
  }

  @Access({ public: true })
  @Post('logout')
  @HttpCode(200)
  @RouteConfig({ ignoreBody: true })
  @ApiOperation({ summary: 'Clear the session cookie (issued JWTs stay valid until they expire)' })
  @ApiOk(object({ success: { type: 'boolean', enum: [true] } }))
  logout(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.setCookie(TOKEN_COOKIE, '', { ...this.cookieOptions(), maxAge: 0, expires: new Date(0) });
    return { success: true };
  }
}
