/** What the encrypted session cookie holds. `sub` and `sid` pin a refresh to the same login. */
export interface StoredSession {
  at: string;
  rt?: string | undefined;
  it?: string | undefined;
  sub: string;
  sid: string;
}

export const SESSION_PURPOSE = 'latchkey-session-v1';

export function parseStoredSession(value: unknown): StoredSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const optional = (x: unknown): boolean => x === undefined || typeof x === 'string';
  if (
    typeof v.at !== 'string' ||
    typeof v.sub !== 'string' ||
    typeof v.sid !== 'string' ||
    !optional(v.rt) ||
    !optional(v.it)
  ) {
    return undefined;
  }
  return {
    at: v.at,
    rt: v.rt as string | undefined,
    it: v.it as string | undefined,
    sub: v.sub,
    sid: v.sid,
  };
}

/** The JSON of a JWT's header or payload segment, unverified: only for display and routing. */
export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> | undefined {
  const segment = token.split('.')[index];
  if (segment === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
