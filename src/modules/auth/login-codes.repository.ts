import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface OutstandingCode {
  id: string;
  codeHash: string;
}

/** Verification codes and the per-email failure counter (B3). */
@Injectable()
export class LoginCodesRepository {
  constructor(private readonly ds: DataSource) {}

  /** Serialises every code operation of one email for the rest of the transaction. */
  async lockEmail(email: string, m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('login:' || $1, 0))`, [email]);
  }

  async countCreatedSince(email: string, since: Date, m: EntityManager): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM email_verification_codes WHERE email = $1 AND created_at > $2`,
      [email, since],
    );
    return rows[0].n;
  }

  async insert(email: string, codeHash: string, expiresAt: Date, m: EntityManager): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO email_verification_codes (email, code_hash, expires_at, created_at) VALUES ($1, $2, $3, now()) RETURNING id`,
      [email, codeHash, expiresAt],
    );
    return rows[0].id;
  }

  async delete(id: string): Promise<void> {
    await this.ds.query(`DELETE FROM email_verification_codes WHERE id = $1`, [id]);
  }

  async outstanding(email: string, now: Date, m: EntityManager): Promise<OutstandingCode[]> {
    return m.query(
      `SELECT id, code_hash AS "codeHash" FROM email_verification_codes
        WHERE email = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2`,
      [email, now],
    );
  }

  /** Marks the code used if it still is unused; false when another request consumed it first. */
  async consume(id: string, now: Date, m: EntityManager): Promise<boolean> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE email_verification_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND voided_at IS NULL RETURNING id`,
      [id, now],
    );
    return rows.length > 0;
  }

  async voidOutstanding(email: string, now: Date, m: EntityManager): Promise<void> {
    await m.query(`UPDATE email_verification_codes SET voided_at = $2 WHERE email = $1 AND used_at IS NULL AND voided_at IS NULL`, [
      email,
      now,
    ]);
  }

  /** Adds one failure and returns the new count. */
  async addFailure(email: string, m: EntityManager): Promise<number> {
    const rows: { failed_count: number }[] = await m.query(
      `INSERT INTO email_login_failures (email, failed_count, updated_at) VALUES ($1, 1, now())
       ON CONFLICT (email) DO UPDATE SET failed_count = email_login_failures.failed_count + 1, updated_at = now()
       RETURNING failed_count`,
      [email],
    );
    return rows[0].failed_count;
  }

  async resetFailures(email: string, m: EntityManager): Promise<void> {
    await m.query(`UPDATE email_login_failures SET failed_count = 0, updated_at = now() WHERE email = $1`, [email]);
  }
}
