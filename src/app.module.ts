import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { ErrorEnvelopeFilter } from './common/filters/error-envelope.filter';
import { CONSTRAINT_ANSWERS, ErrorTranslationInterceptor } from './common/interceptors/error-translation.interceptor';
import { ContractValidationPipe } from './common/pipes/validation';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ReadReplicasModule } from './database/read-replicas.module';
import { baseDataSourceOptions } from './database/typeorm-options';
import { loggerOptions } from './logger-options';
import { AppsModule } from './modules/apps/apps.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CascadesModule } from './modules/cascades/cascades.module';
import { AccessGuard } from './modules/auth/guards/access.guard';
import { EventsModule } from './modules/events/events.module';
import { FUNNELS_CONSTRAINTS } from './modules/funnels/funnels.errors';
import { FunnelsModule } from './modules/funnels/funnels.module';
import { HealthModule } from './modules/health/health.module';
import { INVITATIONS_CONSTRAINTS } from './modules/invitations/invitations.errors';
import { InvitationsModule } from './modules/invitations/invitations.module';
import { KeysModule } from './modules/keys/keys.module';
import { MailModule } from './modules/mail/mail.module';
import { METRICS_CONSTRAINTS } from './modules/metrics/metrics.errors';
import { MetricsModule } from './modules/metrics/metrics.module';
import { ObservabilityModule } from './modules/observability/observability.module';
import { PROJECTS_CONSTRAINTS } from './modules/projects/projects.errors';
import { ProjectsModule } from './modules/projects/projects.module';
import { RetentionModule } from './modules/retention/retention.module';
import { TEAMS_CONSTRAINTS } from './modules/teams/teams.errors';
import { TeamsModule } from './modules/teams/teams.module';
import { UsersModule } from './modules/users/users.module';

/** Unique constraint → contract text, gathered from the modules that own the constraints. */
const CONSTRAINTS = {
  ...TEAMS_CONSTRAINTS,
  ...PROJECTS_CONSTRAINTS,
  ...INVITATIONS_CONSTRAINTS,
  ...METRICS_CONSTRAINTS,
  ...FUNNELS_CONSTRAINTS,
};

@Module({})
export class AppModule {
  /** `config` must already carry the resolved database URL and JWT secret (see runtime.ts). */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.databaseUrl) throw new Error('databaseUrl must be resolved before the app module is built');
    const databaseUrl = config.databaseUrl;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        TypeOrmModule.forRoot({ ...baseDataSourceOptions(databaseUrl), autoLoadEntities: true, migrationsRun: true }),
        ReadReplicasModule,
        HealthModule,
        ObservabilityModule,
        UsersModule,
        AuditModule,
        MailModule,
        KeysModule,
        TeamsModule,
        ProjectsModule,
        AppsModule,
        AuthModule,
        InvitationsModule,
        EventsModule,
        MetricsModule,
        FunnelsModule,
        CascadesModule,
        RetentionModule,
      ],
      providers: [
        // One guard chain reads each route's @Access declaration: who is calling → key permissions → user-only → team role.
        { provide: APP_GUARD, useExisting: AccessGuard },
        { provide: APP_PIPE, useClass: ContractValidationPipe },
        // The error pair: the interceptor translates database failures into contract answers on the handler
        // path; the filter writes every error (guards' included) as {"error": "..."}.
        { provide: CONSTRAINT_ANSWERS, useValue: CONSTRAINTS },
        { provide: APP_INTERCEPTOR, useClass: ErrorTranslationInterceptor },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
      ],
    };
  }
}
