import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { TeamMemberEntity } from './entities/team-member.entity';
import { TeamEntity } from './entities/team.entity';
import { TeamAccessService } from './team-access.service';
import { TeamLifecycle } from './team-lifecycle';
import { TeamRoleGuard } from './team-role.guard';
import { TeamsRepository } from './teams.repository';
import { TeamsService } from './teams.service';

@Module({
  imports: [TypeOrmModule.forFeature([TeamEntity, TeamMemberEntity]), UsersModule, AuditModule],
  providers: [TeamsRepository, TeamsService, TeamAccessService, TeamRoleGuard, TeamLifecycle],
  exports: [TeamsService, TeamAccessService, TeamRoleGuard, TeamLifecycle],
})
export class TeamsModule {}
