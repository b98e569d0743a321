import type { SigningAlgorithm } from '@latchkey/protocol';
import type { KeyFactory } from './key-generation.js';
import { keyState, type KeyRecord, type KeySet } from './key-set.js';

/**
 * The key lifecycle as pure functions: each takes the current set and returns the next one
 * (or null when nothing changes). The caller writes the result with one compare-and-set, so
 * a crash between "steps" is impossible: there is only one step.
 */
export interface KeyPolicy {
  /** One active key per algorithm: RS256 for ID tokens, the access-token algorithm. */
  algorithms: readonly SigningAlgorithm[];
  rotationIntervalMs: number;
  /**
   * How long a retired key stays published: the longest lifetime of a token it signed, plus
   * the JWKS cache lifetime and clock skew, so no live token ever meets an unknown kid.
   */
  retentionMs: number;
}

export type ChangeReason = 'created' | 'rotated' | 'revoked' | 'pruned';
export interface KeySetChange {
  set: KeySet;
  reason: ChangeReason;
}

export class UnknownKeyError extends Error {
  readonly code = 'ERR_UNKNOWN_KEY';
  constructor(readonly kid: string) {
    super(`no key with kid ${kid}`);
    this.name = 'UnknownKeyError';
  }
}

/** Creates missing keys, rotates those whose interval has passed, drops expired ones. */
export async function maintainKeySet(
  current: KeySet | null,
  now: number,
  policy: KeyPolicy,
  newKey: KeyFactory,
): Promise<KeySetChange | null> {
  const draft = new Draft(current);
  for (const alg of policy.algorithms) {
    const active = draft.find(alg, 'active');
    if (!active) {
      // First start (nothing cached anywhere yet), or the active key was lost: sign at once.
      await draft.activateNext(alg, now, newKey, 'created');
    } else if (now - (active.activatedAt ?? now) >= policy.rotationIntervalMs) {
      draft.retire(active, now, 'rotated');
      await draft.activateNext(alg, now, newKey, 'rotated');
    }
    await draft.ensurePending(alg, now, newKey);
  }
  // An algorithm dropped from the configuration stops signing but stays published.
  for (const key of draft.keys) {
    const state = keyState(key);
    if ((state === 'active' || state === 'pending') && !policy.algorithms.includes(key.alg)) {
      draft.retire(key, now, 'rotated');
    }
  }
  draft.prune(now, policy.retentionMs);
  return draft.result();
}

/** Operator's "rotate now": each pending key signs from now on; the active ones retire. */
export async function rotateKeySet(
  current: KeySet,
  now: number,
  policy: KeyPolicy,
  newKey: KeyFactory,
): Promise<KeySetChange | null> {
  const draft = new Draft(current);
  for (const alg of policy.algorithms) {
    const active = draft.find(alg, 'active');
    if (active) draft.retire(active, now, 'rotated');
    await draft.activateNext(alg, now, newKey, 'rotated');
    await draft.ensurePending(alg, now, newKey);
  }
  return draft.result();
}

/** A compromised key: unpublished and never used again; its successor signs at once. */
export async function revokeKey(
  current: KeySet,
  kid: string,
  now: number,
  policy: KeyPolicy,
  newKey: KeyFactory,
): Promise<KeySetChange | null> {
  const draft = new Draft(current);
  const key = draft.keys.find((candidate) => candidate.kid === kid);
  if (!key) throw new UnknownKeyError(kid);
  const state = keyState(key);
  if (state === 'revoked') return null;
  draft.replace(key, { ...key, revokedAt: now });
  if (policy.algorithms.includes(key.alg)) {
    if (state === 'active') await draft.activateNext(key.alg, now, newKey, 'revoked');
    await draft.ensurePending(key.alg, now, newKey);
  }
  draft.note('revoked');
  return draft.result();
}

/** A mutable copy of a key set that remembers why it changed. */
class Draft {
  keys: KeyRecord[];
  private readonly version: number;
  private reason: ChangeReason | null = null;

  constructor(current: KeySet | null) {
    this.keys = current ? [...current.keys] : [];
    this.version = current?.version ?? 0;
  }

  find(alg: SigningAlgorithm, state: 'active' | 'pending'): KeyRecord | undefined {
    return this.keys.find((key) => key.alg === alg && keyState(key) === state);
  }

  note(reason: ChangeReason): void {
    // The most significant reason wins: revoked > rotated > created > pruned.
    const rank: Record<ChangeReason, number> = { pruned: 0, created: 1, rotated: 2, revoked: 3 };
    if (this.reason === null || rank[reason] > rank[this.reason]) this.reason = reason;
  }

  replace(key: KeyRecord, next: KeyRecord): void {
    this.keys = this.keys.map((candidate) => (candidate === key ? next : candidate));
  }

  retire(key: KeyRecord, now: number, reason: ChangeReason): void {
    this.replace(key, { ...key, retiredAt: now });
    this.note(reason);
  }

  /** Promotes the pending key (already published, so cached JWKS know it) or makes one. */
  async activateNext(alg: SigningAlgorithm, now: number, newKey: KeyFactory, reason: ChangeReason) {
    const pending = this.find(alg, 'pending');
    if (pending) {
      this.replace(pending, { ...pending, activatedAt: now });
    } else {
      const fresh = await newKey(alg, now);
      this.keys.push({ ...fresh, activatedAt: now });
    }
    this.note(reason);
  }

  async ensurePending(alg: SigningAlgorithm, now: number, newKey: KeyFactory): Promise<void> {
    if (this.find(alg, 'pending')) return;
    this.keys.push(await newKey(alg, now));
    this.note('created');
  }

  prune(now: number, retentionMs: number): void {
    const kept = this.keys.filter((key) => {
      const endedAt = key.revokedAt ?? key.retiredAt;
      return endedAt === null || now - endedAt < retentionMs;
    });
    if (kept.length !== this.keys.length) {
      this.keys = kept;
      this.note('pruned');
    }
  }

  result(): KeySetChange | null {
    if (this.reason === null) return null;
    return { set: { version: this.version + 1, keys: this.keys }, reason: this.reason };
  }
}

/** Stops the given keys from signing while keeping them published until they expire. */
export function retireKeys(
  current: KeySet,
  kids: readonly string[],
  now: number,
): KeySetChange | null {
  const draft = new Draft(current);
  for (const key of draft.keys) {
    const state = keyState(key);
    if (kids.includes(key.kid) && (state === 'active' || state === 'pending')) {
      draft.retire(key, now, 'rotated');
    }
  }
  return draft.result();
}
