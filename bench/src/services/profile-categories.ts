import type { CpuProfile } from './profile-shares.js';

/**
 * Where a request's CPU time goes, in the terms issue 17 asks for: each busy sample of a V8
 * CPU profile is given to the first category that one of its frames belongs to, walking from
 * the innermost frame outwards. So the native work of `crypto.sign` counts as signing, a
 * JSON.stringify inside ioredis as JSON, a socket write under Koa as the socket. A sample
 * whose innermost known frame is the IdP's own code is "IdP code"; one no frame claims is
 * "other" (Node's internals called from outside the IdP, timers).
 */
export const CATEGORIES = [
  'signing',
  'hashing',
  'JSON',
  'Redis client',
  'PostgreSQL client',
  'PostgreSQL (embedded PGlite)',
  'socket and HTTP parsing',
  'Koa and routing',
  'IdP code',
  'garbage collection',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

interface Frame {
  url: string;
  functionName: string;
}

/** The category a single frame names, or null when it names none (keep walking outwards). */
export function frameCategory({ url, functionName }: Frame): Category | null {
  if (url.includes('internal/crypto/sig') || url.includes('/jose/') || url.includes('/tokens/sign'))
    return 'signing';
  if (url.includes('internal/crypto/hash') || url.includes('internal/crypto/pbkdf2'))
    return 'hashing';
  if (url.includes('/argon2/') || url.includes('token-hash')) return 'hashing';
  if (url === '' && (functionName === 'stringify' || functionName === 'parse')) return 'JSON';
  if (url.includes('/ioredis/') || url.includes('/redis-parser/') || url.includes('/store/redis'))
    return 'Redis client';
  if (url.includes('/pg/') || url.includes('/pg-protocol/') || url.includes('/pg-pool/'))
    return 'PostgreSQL client';
  // The embedded PostgreSQL (DATABASE_URL=pglite://…) runs in the IdP's process: its
  // JavaScript and its WebAssembly (unnamed frames) are the database itself.
  if (url.includes('/@electric-sql/pglite/') || functionName.startsWith('wasm-function'))
    return 'PostgreSQL (embedded PGlite)';
  if (
    url.startsWith('node:_http') ||
    url.startsWith('node:net') ||
    url.startsWith('node:internal/stream') ||
    url.startsWith('node:internal/http') ||
    url.startsWith('node:stream') ||
    url.includes('/http/http-server')
  )
    return 'socket and HTTP parsing';
  if (url.includes('/koa/') || url.includes('/@koa/') || url.includes('/koa-compose/'))
    return 'Koa and routing';
  return null;
}

/** Shares (0 to 1) of the busy samples per category; idle samples are left out. */
export function profileCategories(profile: CpuProfile): Record<Category, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const counts = new Map<Category, number>(CATEGORIES.map((name) => [name, 0]));
  const memo = new Map<number, Category>();
  let busy = 0;
  const categorise = (id: number): Category => {
    const known = memo.get(id);
    if (known) return known;
    let found: Category = 'other';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const category = frameCategory(frame);
      if (category) {
        found = category;
        break;
      }
      // The IdP's own code, reached before any library that names a category: its work.
      if (frame.url.includes('/apps/idp/')) {
        found = 'IdP code';
        break;
      }
    }
    memo.set(id, found);
    return found;
  };
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += 1;
    const category =
      frame.functionName === '(garbage collector)' ? 'garbage collection' : categorise(id);
    counts.set(category, counts.get(category)! + 1);
  }
  return Object.fromEntries(
    CATEGORIES.map((name) => [name, busy === 0 ? 0 : counts.get(name)! / busy]),
  ) as Record<Category, number>;
}
