import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { AcceptInvitationUseCase } from './accept-invitation.usecase';
import { TeamInvitationEntity } from './entities/team-invitation.entity';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { InvitesController } from './invites.controller';
import { SendInvitationUseCase } from './send-invitation.usecase';
import { TeamDetailsController } from './team-details.controller';
import { TeamInvitationsController } from './team-invitations.controller';

@Module({
  imports: [TypeOrmModule.forFeature([TeamInvitationEntity]), TeamsModule, UsersModule, MailModule, AuditModule],
  controllers: [TeamInvitationsController, InvitesController, TeamDetailsController],
  providers: [InvitationsRepository, InvitationsService, SendInvitationUseCase, AcceptInvitationUseCase],
  exports: [InvitationsService],
})
export class InvitationsModule {}
