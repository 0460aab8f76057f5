import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppsModule } from '../apps/apps.module';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { MailModule } from '../mail/mail.module';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { EmailLoginFailureEntity } from './entities/email-login-failure.entity';
import { EmailVerificationCodeEntity } from './entities/email-verification-code.entity';
import { LoginCodesRepository } from './login-codes.repository';
import { LoginCodesService } from './login-codes.service';
import { AccessGuard } from './guards/access.guard';
import { SessionTokenService } from './session-token.service';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { JwtStrategy } from './strategies/jwt.strategy';

@Module({
  imports: [
    TypeOrmModule.forFeature([EmailVerificationCodeEntity, EmailLoginFailureEntity]),
    PassportModule,
    JwtModule.register({}),
    UsersModule,
    TeamsModule,
    AppsModule,
    KeysModule,
    MailModule,
    AuditModule,
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AuthService,
    ApiKeysService,
    LoginCodesRepository,
    LoginCodesService,
    SessionTokenService,
    JwtStrategy,
    ApiKeyStrategy,
    AccessGuard,
  ],
  exports: [AccessGuard],
})
export class AuthModule {}
