/**
 * Bucket keys of SPEC §1.10: one bucket per identity and host class. Pure.
 *
 * Host class: `ingest` when the Host header, port ignored, case-insensitive, starts with `ingest.`;
 * everything else (no Host, an IP, `api.…`, `localhost`) is `api`. The two classes never share a bucket.
 */
export type HostClass = 'ingest' | 'api';

const INGEST_PREFIX = 'ingest.';

/** `Ingest.Example.com:4000` → `ingest`; `[::1]:4000`, `api.example.com`, undefined → `api`. */
export function hostClassOf(host: string | undefined): HostClass {
  if (host === undefined || host.length < INGEST_PREFIX.length) return 'api';
  // A port can only follow the name, so it cannot change whether the name starts with `ingest.`;
  // bracketed IPv6 literals never do.
  return host.slice(0, INGEST_PREFIX.length).toLowerCase() === INGEST_PREFIX ? 'ingest' : 'api';
}

/**
 * `<host class>|<identity>`. The identity is already namespaced (`key:<id>`, `user:<id>`, `ip:<addr>`),
 * so a user id can never collide with a key id or an address.
 */
export function bucketKey(hostClass: HostClass, identity: string): string {
  return `${hostClass}|${identity}`;
}
