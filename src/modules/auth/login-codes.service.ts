import { HttpException, Injectable } from '@nestjs/common';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { MailService } from '../mail/mail.service';
import { SessionTokenService } from './session-token.service';
import { AuthErrors } from './auth.errors';
import { LoginCodesRepository } from './login-codes.repository';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODES_PER_HOUR = 5;
export const MAX_FAILED_ATTEMPTS = 5;

export type CodeCheck = { ok: true; codeId: string } | { ok: false };

/**
 * Email login codes (§2.1, B3): 6 random digits, kept only as keyed hashes, compared in constant time,
 * single-use, voided after 5 wrong attempts. Every operation on one email holds an advisory lock, so the
 * counter and consumption are race-free.
 */
@Injectable()
export class LoginCodesService {
  private readonly hashKey: Buffer;

  constructor(
    private readonly ds: DataSource,
    private readonly codes: LoginCodesRepository,
    private readonly mail: MailService,
    sessions: SessionTokenService,
    @InjectPinoLogger(LoginCodesService.name) private readonly log: PinoLogger,
  ) {
    this.hashKey = sessions.keyFor('login-codes');
  }

  private hash(code: string): Buffer {
    return createHmac('sha256', this.hashKey).update(code).digest();
  }

  async send(email: string): Promise<void> {
    const code = String(randomInt(100_000, 1_000_000));
    const codeId = await this.ds.transaction(async (m) => {
      await this.codes.lockEmail(email, m);
      const recent = await this.codes.countCreatedSince(email, new Date(Date.now() - 60 * 60_000), m);
      if (recent >= MAX_CODES_PER_HOUR) throw new HttpException(AuthErrors.tooManyCodes, 429);
      return this.codes.insert(email, this.hash(code).toString('hex'), new Date(Date.now() + CODE_TTL_MS), m);
    });
    try {
      await this.mail.sendLoginCode(email, code);
    } catch (err) {
      this.log.error({ err }, 'login code delivery failed');
      await this.codes.delete(codeId);
      throw new HttpException(AuthErrors.sendFailed, 502);
    }
  }

  /**
   * Checks `code` for `email` inside the caller's transaction (which must call lock first via this method).
   * A mismatch counts a failure (when a code was outstanding) and voids everything at the 5th.
   */
  async check(email: string, code: string, m: EntityManager): Promise<CodeCheck> {
    await this.codes.lockEmail(email, m);
    const now = new Date();
    const outstanding = await this.codes.outstanding(email, now, m);
    const submitted = this.hash(code);
    let match: string | null = null;
    for (const c of outstanding) {
      // Compare against every outstanding code so timing does not reveal which one matched.
      if (timingSafeEqual(Buffer.from(c.codeHash, 'hex'), submitted) && match === null) match = c.id;
    }
    if (match && /^\d{6}$/.test(code)) return { ok: true, codeId: match };
    if (outstanding.length > 0) {
      const failures = await this.codes.addFailure(email, m);
      if (failures >= MAX_FAILED_ATTEMPTS) {
        await this.codes.voidOutstanding(email, now, m);
        await this.codes.resetFailures(email, m);
      }
    }
    return { ok: false };
  }

  /** Uses the code up and clears the failure counter; false if it was consumed concurrently. */
  async consume(email: string, codeId: string, m: EntityManager): Promise<boolean> {
    const consumed = await this.codes.consume(codeId, new Date(), m);
    if (consumed) await this.codes.resetFailures(email, m);
    return consumed;
  }
}
