import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { ProjectsModule } from '../projects/projects.module';
import { TeamsModule } from '../teams/teams.module';
import { AppUsersRepository } from './app-users.repository';
import { AppUsersService } from './app-users.service';
import { AppsController } from './apps.controller';
import { AppsRepository } from './apps.repository';
import { AppsService } from './apps.service';
import { AppUserEntity } from './entities/app-user.entity';
import { AppEntity } from './entities/app.entity';
import { ProjectAppsController } from './project-apps.controller';

/** Apps, their client keys and app users. Exports the lookups auth and events need, and the apps' part of cascades. */
@Module({
  imports: [TypeOrmModule.forFeature([AppEntity, AppUserEntity]), ProjectsModule, TeamsModule, KeysModule, AuditModule],
  controllers: [AppsController, ProjectAppsController],
  providers: [AppsRepository, AppsService, AppUsersRepository, AppUsersService],
  exports: [AppsService, AppUsersService],
})
export class AppsModule {}
