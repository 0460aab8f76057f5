import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Mail over SMTP (nodemailer) when SMTP_URL is set; otherwise the message is written to the log so a
 * developer can still sign in. `send` rejects when delivery fails; callers answer 502.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly transport: Transporter | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(MailService.name) private readonly log: PinoLogger,
  ) {
    this.transport = config.smtpUrl ? createTransport(config.smtpUrl) : null;
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transport) {
      this.log.info({ to: mail.to, subject: mail.subject }, `email not sent (SMTP_URL unset):\n${mail.text}`);
      return;
    }
    await this.transport.sendMail({ from: this.config.emailFrom, ...mail });
  }

  sendLoginCode(email: string, code: string): Promise<void> {
    return this.send({
      to: email,
      subject: `Your OwlMetry login code: ${code}`,
      text: `Your OwlMetry verification code is ${code}\n\nIt expires in 10 minutes. If you did not ask for it, ignore this email.\n`,
    });
  }

  sendInvitation(email: string, invite: { teamName: string; inviterName: string; role: string; link: string }): Promise<void> {
    return this.send({
      to: email,
      subject: `${invite.inviterName} invited you to ${invite.teamName} on OwlMetry`,
      text:
        `${invite.inviterName} invited you to join the team "${invite.teamName}" on OwlMetry as ${invite.role}.\n\n` +
        `Accept the invitation: ${invite.link}\n\nThe link expires in 7 days.\n`,
    });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
