/**
 * Names of the records and channels Latchkey keeps in its store (Redis). Writers and
 * readers import them from here so that a renamed key cannot silently break the other side.
 */

export const STORE_PREFIX = 'latchkey';

export const storeKeys = {
  /** The whole signing-key set, one JSON document, replaced atomically (compare-and-set). */
  keySet: `${STORE_PREFIX}:keys`,
} as const;

export const channels = {
  /** Published after every change of the key set; the message is a `KeySetChangedNotice`. */
  keySetChanged: `${STORE_PREFIX}:keys:changed`,
} as const;

/** Tells other IdP instances to reload the key set. Carries no key material. */
export interface KeySetChangedNotice {
  version: number;
  reason: 'created' | 'rotated' | 'revoked' | 'pruned';
}

export function encodeKeySetChangedNotice(notice: KeySetChangedNotice): string {
  return JSON.stringify(notice);
}

/** Returns null for anything that is not a well-formed notice (channels are shared). */
export function decodeKeySetChangedNotice(message: string): KeySetChangedNotice | null {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return null;
    const { version, reason } = value as Record<string, unknown>;
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) return null;
    if (reason !== 'created' && reason !== 'rotated' && reason !== 'revoked' && reason !== 'pruned')
      return null;
    return { version, reason };
  } catch {
    return null;
  }
}
