import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Recipients named in the `To` header. */
  to: string[];
  /** Recipients of the SMTP envelope (RCPT TO): who the message was actually delivered to. */
  rcptTo: string[];
  subject: string;
  text: string;
}

/** An in-process SMTP server that keeps every message it receives, for reading login codes and invitation links. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  private port = 0;
  /** When set, every delivery is refused (to test the 502 answers). */
  failDeliveries = false;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        if (this.failDeliveries) {
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })));
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            const to = [mail.to].flat().flatMap((a) => (a ? a.value.map((v) => (v.address ?? '').toLowerCase()) : []));
            const rcptTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
            this.messages.push({ to, rcptTo, subject: mail.subject ?? '', text: mail.text ?? '' });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  clear(): void {
    this.messages.length = 0;
    this.failDeliveries = false;
  }

  /** The newest message sent to `email`. */
  lastTo(email: string): ReceivedMail {
    const found = [...this.messages].reverse().find((m) => m.to.includes(email.toLowerCase()));
    if (!found) throw new Error(`no mail for ${email}`);
    return found;
  }

  lastCodeFor(email: string): string {
    const match = /\b(\d{6})\b/.exec(this.lastTo(email).text);
    if (!match) throw new Error(`no code in the mail to ${email}`);
    return match[1];
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
