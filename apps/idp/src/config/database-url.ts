/**
 * Where the directory lives: a PostgreSQL server, or the embedded PostgreSQL (PGlite) kept in
 * a folder (`path`, relative to the IdP's working directory) or in memory (`path: null`).
 */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly path: string | null };

const PGLITE = 'pglite://';

/** Parses a DATABASE_URL, or null when it names nothing we can open. */
export function parseDatabaseUrl(raw: string): DatabaseTarget | null {
  if (raw === `${PGLITE}memory`) return { kind: 'pglite', path: null };
  if (raw.startsWith(PGLITE)) {
    const path = raw.slice(PGLITE.length);
    return path.trim() === '' ? null : { kind: 'pglite', path };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const server = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  return server && url.hostname !== '' ? { kind: 'postgres', url: raw } : null;
}

/** For logs: the kind and, for a server, host and database, never a password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return target.path === null ? 'pglite:memory' : 'pglite:folder';
  const url = new URL(target.url);
  return `postgres:${url.hostname}:${url.port || '5432'}${url.pathname}`;
}
