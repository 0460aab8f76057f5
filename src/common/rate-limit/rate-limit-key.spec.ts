import { bucketKey, hostClassOf } from './rate-limit-key';

describe('hostClassOf', () => {
  it.each([
    ['ingest.example.com', 'ingest'],
    ['ingest.example.com:4000', 'ingest'],
    ['INGEST.Example.COM', 'ingest'],
    ['Ingest.localhost:80', 'ingest'],
    ['ingest.', 'ingest'],
    ['api.example.com', 'api'],
    ['api.ingest.example.com', 'api'],
    ['ingest', 'api'],
    ['ingest:4000', 'api'],
    ['ingestion.example.com', 'api'],
    ['localhost:4000', 'api'],
    ['127.0.0.1', 'api'],
    ['[::1]:4000', 'api'],
    ['', 'api'],
  ])('%p → %s', (host, expected) => {
    expect(hostClassOf(host)).toBe(expected);
  });

  it('treats a missing Host as api', () => {
    expect(hostClassOf(undefined)).toBe('api');
  });
});

describe('bucketKey', () => {
  it('keeps host classes and identities apart', () => {
    expect(bucketKey('ingest', 'key:abc')).toBe('ingest|key:abc');
    expect(bucketKey('api', 'key:abc')).toBe('api|key:abc');
    expect(bucketKey('api', 'key:abc')).not.toBe(bucketKey('ingest', 'key:abc'));
  });
});
