import { describe, expect, it } from 'vitest';
import { createRevokedSet } from './revoked-set.js';

const NOW = 1_700_000_000_000;
const NOW_SEC = NOW / 1000;
const token = { sub: 'user-1', sid: 'sid-1', iat: NOW_SEC - 60 };

describe('revoked set: sessions', () => {
  it('revokes every token carrying a revoked sid, and no other', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'session', sid: 'sid-1', expiresAt: NOW + 60_000 }, NOW);
    expect(set.isRevoked(token, NOW)).toBe(true);
    expect(set.isRevoked({ ...token, sid: 'sid-2' }, NOW)).toBe(false);
    expect(set.isRevoked({ sub: 'user-1', iat: token.iat }, NOW)).toBe(false);
  });

  it('keeps the later expiry when a session is revoked twice', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'session', sid: 'sid-1', expiresAt: NOW + 60_000 }, NOW);
    set.apply({ kind: 'session', sid: 'sid-1', expiresAt: NOW + 10_000 }, NOW);
    expect(set.isRevoked(token, NOW + 30_000)).toBe(true);
    expect(set.size).toBe(1);
  });
});

describe('revoked set: subjects', () => {
  it('revokes tokens of the subject issued before notBefore, not at or after it', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'subject', sub: 'user-1', notBefore: NOW_SEC, expiresAt: NOW + 60_000 }, NOW);
    expect(set.isRevoked({ sub: 'user-1', iat: NOW_SEC - 1 }, NOW)).toBe(true);
    expect(set.isRevoked({ sub: 'user-1', sid: 'any', iat: NOW_SEC - 1 }, NOW)).toBe(true);
    expect(set.isRevoked({ sub: 'user-1', iat: NOW_SEC }, NOW)).toBe(false);
    expect(set.isRevoked({ sub: 'user-2', iat: NOW_SEC - 1 }, NOW)).toBe(false);
  });

  it('merges revocations of one subject into the latest notBefore and expiry', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'subject', sub: 'user-1', notBefore: NOW_SEC, expiresAt: NOW + 90_000 }, NOW);
    set.apply(
      { kind: 'subject', sub: 'user-1', notBefore: NOW_SEC - 100, expiresAt: NOW + 10_000 },
      NOW,
    );
    expect(set.size).toBe(1);
    expect(set.isRevoked({ sub: 'user-1', iat: NOW_SEC - 50 }, NOW + 60_000)).toBe(true);
  });
});

describe('revoked set: expiry', () => {
  it('ignores a revocation that has already expired', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'session', sid: 'sid-1', expiresAt: NOW }, NOW);
    expect(set.size).toBe(0);
    expect(set.isRevoked(token, NOW)).toBe(false);
  });

  it('forgets an entry on look-up once it has expired', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'session', sid: 'sid-1', expiresAt: NOW + 1_000 }, NOW);
    set.apply({ kind: 'subject', sub: 'user-1', notBefore: NOW_SEC, expiresAt: NOW + 1_000 }, NOW);
    expect(set.isRevoked(token, NOW + 999)).toBe(true);
    expect(set.isRevoked(token, NOW + 1_000)).toBe(false);
    expect(set.size).toBe(0);
  });

  it('sweeps expired entries that are never looked up, and keeps the others', () => {
    const set = createRevokedSet();
    for (let i = 0; i < 100; i += 1) {
      set.apply({ kind: 'session', sid: `old-${i}`, expiresAt: NOW + 1_000 }, NOW);
      set.apply(
        { kind: 'subject', sub: `old-${i}`, notBefore: NOW_SEC, expiresAt: NOW + 1_000 },
        NOW,
      );
    }
    set.apply({ kind: 'session', sid: 'sid-1', expiresAt: NOW + 5_000 }, NOW);
    set.sweep(NOW + 999);
    expect(set.size).toBe(201);
    set.sweep(NOW + 1_000);
    expect(set.size).toBe(1);
    expect(set.isRevoked(token, NOW + 1_000)).toBe(true);
    set.sweep(NOW + 5_000);
    expect(set.size).toBe(0);
  });
});

describe('revoked set: signing keys', () => {
  it('revokes the kid until its expiry, then forgets it', () => {
    const set = createRevokedSet();
    set.apply({ kind: 'key', kid: 'k-1', expiresAt: NOW + 60_000 }, NOW);
    expect(set.isKeyRevoked('k-1', NOW)).toBe(true);
    expect(set.isKeyRevoked('k-2', NOW)).toBe(false);
    // A key revocation says nothing about sessions or subjects.
    expect(set.isRevoked(token, NOW)).toBe(false);
    expect(set.size).toBe(1);
    set.sweep(NOW + 60_000);
    expect(set.isKeyRevoked('k-1', NOW + 60_000)).toBe(false);
    expect(set.size).toBe(0);
  });
});
