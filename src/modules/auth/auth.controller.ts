import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Patch, Post, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { UserPrincipal, Principal } from '../../common/auth/principal';
import { CurrentPrincipal, Public, UserOnly } from '../../common/decorators/auth.decorators';
import { normalizeEmail } from '../../common/http/email';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { toTeamMembershipResponse } from '../teams/teams.mapper';
import { toUserResponse } from '../users/users.mapper';
import { toSessionResponse, toWhoamiResponse } from './auth.mapper';
import { AuthErrors, SESSION_TTL_SECONDS, TOKEN_COOKIE } from './auth.errors';
import { AuthService } from './auth.service';
import { AgentLoginDto, SendCodeDto, UpdateMeDto, VerifyCodeDto } from './dto/auth.dto';

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

  @Public()
  @Post('send-code')
  @HttpCode(200)
  async sendCode(@Body() body: SendCodeDto) {
    const email = normalizeEmail(body.email);
    if (!email) throw new BadRequestException(AuthErrors.validEmailRequired);
    await this.auth.sendCode(email);
    return { message: 'Verification code sent' };
  }

  @Public()
  @Post('verify-code')
  async verifyCode(@Body() body: VerifyCodeDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const session = await this.auth.verifyCode(body.email.trim().toLowerCase(), body.code);
    reply.status(session.isNewUser ? 201 : 200);
    reply.setCookie(TOKEN_COOKIE, session.token, { ...this.cookieOptions(), maxAge: SESSION_TTL_SECONDS });
    return toSessionResponse(session);
  }

  @Public()
  @Post('agent-login')
  async agentLogin(@Body() body: AgentLoginDto) {
    const result = await this.auth.agentLogin(body.email.trim().toLowerCase(), body.code, body.team_id);
    return { api_key: result.apiKey, team: result.team };
  }

  @Public()
  @Post('logout')
  @HttpCode(200)
  @RouteConfig({ ignoreBody: true })
  logout(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.setCookie(TOKEN_COOKIE, '', { ...this.cookieOptions(), maxAge: 0, expires: new Date(0) });
    return { success: true };
  }

  @Get('whoami')
  async whoami(@CurrentPrincipal() who: Principal) {
    return toWhoamiResponse(await this.auth.whoami(who));
  }

  @Get('teams')
  @UserOnly('Only users can list teams')
  async teams(@CurrentPrincipal() who: UserPrincipal) {
    return { teams: (await this.auth.memberships(who.userId)).map(toTeamMembershipResponse) };
  }

  @Get('me')
  @UserOnly('Only users can access this endpoint')
  async me(@CurrentPrincipal() who: UserPrincipal) {
    const { user, teams } = await this.auth.me(who.userId);
    return { user: toUserResponse(user), teams: teams.map(toTeamMembershipResponse) };
  }

  @Patch('me')
  @UserOnly('Only users can update their profile')
  async updateMe(@CurrentPrincipal() who: UserPrincipal, @Body() body: UpdateMeDto) {
    return { user: toUserResponse(await this.auth.rename(who, body.name)) };
  }
}
