/**
 * The version of Latchkey's Redis key layout: which keys exist, their names, what their
 * values and members mean (store-keys.ts, revocation.ts). The IdP writes it at
 * {@link storeLayoutKey} and refuses a Redis that holds another; the SDK reads it with the
 * revoked set and refuses to vouch for tokens when it differs. Without it an IdP that moved a
 * key would leave older SDKs reading a set nobody writes any more, seeing no revocation at all.
 *
 * Bump the version on any change that a reader of the previous layout would misread or miss
 * (a renamed key, a new kind of revocation that must not be ignored, a changed encoding).
 */

/** The layout this package describes. 1: the layout with session, subject and key revocations. */
export const STORE_LAYOUT_VERSION = 1;

/**
 * Where the layout version is kept. This one name never changes between versions, so that an
 * IdP and an SDK of any two versions can find out that they disagree. A hash tag is not
 * needed: it is only ever read and written alone.
 */
export const storeLayoutKey = 'latchkey:layout';

/** The value stored at {@link storeLayoutKey}. */
export function encodeStoreLayout(version: number): string {
  return String(version);
}

/**
 * The version held in a stored value: null when there is none (nothing was written yet); the
 * raw text when it is not a positive integer, so that an error message can name what it found.
 */
export function decodeStoreLayout(raw: string | null): number | string | null {
  if (raw === null) return null;
  return /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : raw;
}

/**
 * Whether a store holding `raw` at {@link storeLayoutKey} can be read and written with this
 * package's layout. An absent value means nothing Latchkey wrote is there yet (or the store
 * restarted empty), so nothing can be misread.
 */
export function isCompatibleStoreLayout(raw: string | null): boolean {
  const found = decodeStoreLayout(raw);
  return found === null || found === STORE_LAYOUT_VERSION;
}
