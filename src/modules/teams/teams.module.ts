import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { UsersModule } from '../users/users.module';
import { TeamMemberEntity } from './entities/team-member.entity';
import { TeamEntity } from './entities/team.entity';
import { TeamAccessService } from './team-access.service';
import { TeamMembersController } from './team-members.controller';
import { TeamMembersService } from './team-members.service';
import { TeamsController } from './teams.controller';
import { TeamsRepository } from './teams.repository';
import { TeamsService } from './teams.service';

@Module({
  imports: [TypeOrmModule.forFeature([TeamEntity, TeamMemberEntity]), UsersModule, AuditModule, KeysModule],
  controllers: [TeamsController, TeamMembersController],
  providers: [TeamsRepository, TeamsService, TeamMembersService, TeamAccessService],
  exports: [TeamsService, TeamAccessService],
})
export class TeamsModule {}
