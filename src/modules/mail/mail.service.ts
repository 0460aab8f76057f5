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

export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * A failed delivery. It carries no `code` property on purpose: the log redacts `*.code` (login codes), which
 * would otherwise print `[redacted]` instead of ECONNREFUSED; the cause is in the message.
 */
export class MailDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

/** `SMTP 127.0.0.1:2525: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:2525)`: host and cause, never the password. */
export function describeSmtpFailure(err: unknown, smtpUrl: string): string {
  let where = 'SMTP server';
  try {
    const u = new URL(smtpUrl);
    where = `SMTP ${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`;
  } catch {
    // keep the generic name
  }
  const e = err as { code?: string; message?: string; responseCode?: number };
  const message = (e?.message ?? String(err)).replace(/\/\/[^@/\s]*@/g, '//***@');
  // nodemailer wraps socket errors as ESOCKET/ECONNECTION; the system error (ECONNREFUSED, …) is in the message.
  const systemCode = /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  const code =
    (e?.code === 'ESOCKET' || e?.code === 'ECONNECTION') && systemCode
      ? systemCode
      : (e?.code ?? (e?.responseCode ? `SMTP ${e.responseCode}` : undefined));
  return `${where}: ${code ? `${code} (${message})` : message}`;
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
    // Bounded waits: a server that accepts the connection but never greets must not hold a sign-in for minutes
    // (nodemailer's defaults are 2 min to connect, 30 s for the greeting, 10 min of socket silence). Query
    // parameters of SMTP_URL (e.g. `?greetingTimeout=30000`) override these.
    this.transport = config.smtpUrl ? createTransport({ ...SMTP_TIMEOUTS, url: config.smtpUrl }) : null;
  }

  /** Rejects with an Error whose message names the SMTP server and the real cause (e.g. ECONNREFUSED, a timeout). */
  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transport) {
      this.log.info({ to: mail.to, subject: mail.subject }, `email not sent (SMTP_URL unset):\n${mail.text}`);
      return;
    }
    // One recipient, given as an address object: nodemailer never parses it as a list or a display name
    // (callers pass only addresses that passed the one email rule, common/http/email.ts).
    try {
      await this.transport.sendMail({ from: this.config.emailFrom, ...mail, to: { name: '', address: mail.to } });
    } catch (err) {
      throw new MailDeliveryError(describeSmtpFailure(err, this.config.smtpUrl!));
    }
  }

  sendLoginCode(email: string, code: string): Promise<void> {
    if (!this.transport) {
      // On its own line, so a developer without SMTP finds it at a glance.
      this.log.info(`Login code for ${email}: ${code}`);
      return Promise.resolve();
    }
    return this.send({
      to: email,
      subject: `Your OwlMetry login code: ${code}`,
      text: `Your OwlMetry verification code is ${code}\n\nIt expires in 10 minutes. If you did not ask for it, ignore this email.\n`,
    });
  }

  sendInvitation(email: string, invite: { teamName: string; inviterName: string; role: string; link: string }): Promise<void> {
    if (!this.transport) {
      this.log.info(`Invitation for ${email} to ${invite.teamName} (${invite.role}): ${invite.link}`);
      return Promise.resolve();
    }
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
