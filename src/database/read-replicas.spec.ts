import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '../config/app-config';
import { ReadReplicas, parseLsn, replicaName } from './read-replicas';

describe('ReadReplicas', () => {
  it('without DATABASE_REPLICA_URLS every read is DataSource.query / DataSource.transaction on the primary', async () => {
    const manager = { query: jest.fn().mockResolvedValue([{ n: 2 }]) };
    const ds = {
      query: jest.fn().mockResolvedValue([{ n: 1 }]),
      transaction: jest.fn((work: (m: typeof manager) => Promise<unknown>) => work(manager)),
    };
    const reads = new ReadReplicas(ds as unknown as DataSource, loadConfig({}));
    expect(reads.configured).toBe(false);
    expect(reads.state()).toEqual([]);
    await expect(reads.query('SELECT $1::int AS n', [1])).resolves.toEqual([{ n: 1 }]);
    expect(ds.query).toHaveBeenCalledWith('SELECT $1::int AS n', [1]);
    await expect(reads.transaction((q) => q.query('SELECT 2 AS n'))).resolves.toEqual([{ n: 2 }]);
    expect(manager.query).toHaveBeenCalledWith('SELECT 2 AS n');
    expect(ds.query).toHaveBeenCalledTimes(1); // no WAL-position query either
    await reads.onApplicationBootstrap();
    await reads.onApplicationShutdown();
  });

  it('reads no replica before the first successful probe (the read goes to the primary, counted as unavailable)', async () => {
    const ds = { query: jest.fn().mockResolvedValue([]) };
    const config: AppConfig = { ...loadConfig({}), databaseReplicaUrls: ['postgres://nobody@127.0.0.1:1/owl'] };
    const reads = new ReadReplicas(ds as unknown as DataSource, config);
    const reasons: string[] = [];
    reads.onFallback((r) => reasons.push(r));
    await reads.query('SELECT 1');
    expect(reasons).toEqual(['unavailable']);
    expect(reads.state()).toEqual([{ name: '127.0.0.1:1/owl', state: 'down', lagMs: null, problem: 'not probed yet' }]);
    await reads.onApplicationShutdown();
  });

  it('compares WAL positions as numbers and names replicas without credentials', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(replicaName('postgres://user:secret@replica-1.internal/owlmetry')).toBe('replica-1.internal:5432/owlmetry');
  });
});
