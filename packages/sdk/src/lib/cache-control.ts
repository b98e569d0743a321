export interface CacheBounds {
  minMs: number;
  maxMs: number;
  defaultMs: number;
}

/**
 * How long a response may be used, from `Cache-Control` (RFC 9111 §5.2.2) minus `Age` (§5.1),
 * clamped to `[minMs, maxMs]`. The floor keeps an IdP that says `no-store` or `max-age=0` from
 * making us fetch on every request; the ceiling bounds how long a removed key stays trusted.
 */
export function cacheLifetimeMs(headers: Headers, bounds: CacheBounds): number {
  const clamp = (ms: number): number => Math.min(bounds.maxMs, Math.max(bounds.minMs, ms));
  const header = headers.get('cache-control');
  if (header === null) return clamp(bounds.defaultMs);

  let maxAgeSec: number | undefined;
  for (const part of header.split(',')) {
    const directive = part.trim().toLowerCase();
    if (directive === 'no-cache' || directive === 'no-store') return bounds.minMs;
    const match = /^max-age=(\d{1,10})$/.exec(directive);
    if (match && maxAgeSec === undefined) maxAgeSec = Number(match[1]);
  }
  if (maxAgeSec === undefined) return clamp(bounds.defaultMs);

  const age = Number(headers.get('age') ?? 0);
  const ageSec = Number.isFinite(age) && age > 0 ? age : 0;
  return clamp((maxAgeSec - ageSec) * 1000);
}
