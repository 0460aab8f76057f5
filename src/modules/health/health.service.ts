import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadReplicas, ReplicaState } from '../../database/read-replicas';

export const READY_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  private shuttingDown = false;

  constructor(
    private readonly ds: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  /** The read replicas' state for the readiness body; null when none is configured (the body stays `{"status":"ok"}`). */
  replicaState(): ReplicaState[] | null {
    return this.replicas.configured ? this.replicas.state() : null;
  }

  /** Called when SIGTERM/SIGINT arrives: readiness turns 503 at once (B13). */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /** Null when ready; otherwise the 503 text. */
  async readinessProblem(): Promise<string | null> {
    if (this.shuttingDown) return 'Shutting down';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('readiness query timed out')), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.ds.query('SELECT 1'), timeout]);
      return null;
    } catch {
      return 'Database unavailable';
    } finally {
      clearTimeout(timer);
    }
  }
}
