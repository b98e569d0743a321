import { describe, expect, it } from 'vitest';
import {
  encodeRevocationReloadNotice,
  isRevocationReloadNotice,
  decodeRevocationMember,
  decodeRevocationNotice,
  encodeRevocationMember,
  encodeRevocationNotice,
  encodeRevocationSnapshot,
  notBeforeFor,
  readRevocationNotice,
  readRevocationSnapshot,
  revokes,
  type Revocation,
} from './revocation.js';

const session: Revocation = { kind: 'session', sid: 's-1', expiresAt: 1_800_000_000_000 };
const subject: Revocation = {
  kind: 'subject',
  sub: 'user:with:colons',
  notBefore: 1_700_000_100,
  expiresAt: 1_800_000_000_000,
};

const key: Revocation = { kind: 'key', kid: 'k:1', expiresAt: 1_800_000_000_000 };

describe('revocation members and notices', () => {
  it.each([session, subject, key])('round-trips %j as a member and as a notice', (revocation) => {
    const member = encodeRevocationMember(revocation);
    expect(decodeRevocationMember(member, revocation.expiresAt)).toEqual(revocation);
    expect(decodeRevocationNotice(encodeRevocationNotice(revocation))).toEqual(revocation);
  });

  it('carries the time of revocation when given, and reads notices without it', () => {
    const at = 1_700_000_000_123;
    expect(readRevocationNotice(encodeRevocationNotice(session, at))).toEqual({
      revocation: session,
      revokedAt: at,
    });
    expect(decodeRevocationNotice(encodeRevocationNotice(session, at))).toEqual(session);
    expect(readRevocationNotice(encodeRevocationNotice(key))).toEqual({
      revocation: key,
      revokedAt: undefined,
    });
  });

  it.each(['"soon"', '-5', '1.5', 'null'])(
    'keeps the revocation of a notice whose time is %s',
    (at) => {
      const message = `{"member":"sid:s-1","expiresAt":1800000000000,"revokedAt":${at}}`;
      expect(readRevocationNotice(message)).toEqual({ revocation: session, revokedAt: undefined });
    },
  );

  it.each(['', 'sid:', 'kid:', 'sub:12:', 'sub:x:alice', 'other:1', 'sub:1234567890123:alice'])(
    'rejects the malformed member %j',
    (member) => {
      expect(decodeRevocationMember(member, 1_800_000_000_000)).toBeNull();
    },
  );

  it.each([0, -1, 1.5, Number.NaN])('rejects the expiry %j', (expiresAt) => {
    expect(decodeRevocationMember('sid:abc', expiresAt)).toBeNull();
  });

  it.each([
    '',
    'not json',
    'null',
    '{"member":"sid:a"}',
    '{"member":1,"expiresAt":1800000000000}',
    '{"member":"nope","expiresAt":1800000000000}',
  ])('rejects the malformed notice %j', (message) => {
    expect(decodeRevocationNotice(message)).toBeNull();
  });
});

describe('the reload notice', () => {
  it('is recognised, and is no revocation to a reader that predates it', () => {
    const message = encodeRevocationReloadNotice();
    expect(isRevocationReloadNotice(message)).toBe(true);
    expect(readRevocationNotice(message)).toBeNull();
    const revocation = { kind: 'session', sid: 's1', expiresAt: 1_900_000_000_000 } as const;
    expect(isRevocationReloadNotice(encodeRevocationNotice(revocation))).toBe(false);
    expect(isRevocationReloadNotice('{"reload":"something-else"}')).toBe(false);
  });
});

describe('revokes', () => {
  it('revokes every token signed under the key, and no other', () => {
    expect(revokes(key, { sub: 'a', sid: 's-1', iat: 1, kid: 'k:1' })).toBe(true);
    expect(revokes(key, { sub: 'a', sid: 's-1', iat: 1, kid: 'k:2' })).toBe(false);
    expect(revokes(key, { sub: 'a', iat: 1 })).toBe(false);
  });

  it('revokes every token of the session, whatever its subject or age', () => {
    expect(revokes(session, { sub: 'a', sid: 's-1', iat: 1 })).toBe(true);
    expect(revokes(session, { sub: 'a', sid: 's-2', iat: 1 })).toBe(false);
    expect(revokes(session, { sub: 'a', iat: 1 })).toBe(false);
  });

  it('revokes the tokens of the subject issued before notBefore, not later ones', () => {
    const sub = 'user:with:colons';
    expect(revokes(subject, { sub, iat: 1_700_000_099 })).toBe(true);
    expect(revokes(subject, { sub, iat: 1_700_000_100 })).toBe(false);
    expect(revokes(subject, { sub: 'someone else', iat: 1 })).toBe(false);
  });

  it('notBeforeFor covers tokens issued in the same second as the revocation', () => {
    const nowMs = 1_700_000_000_999;
    const iat = Math.floor(nowMs / 1000);
    expect(revokes({ ...subject, notBefore: notBeforeFor(nowMs) }, { sub: subject.sub, iat })).toBe(
      true,
    );
  });
});

describe('revocation snapshots (GET /ssf/revocations)', () => {
  const members = new Map([
    ['sid:s1', 2_000_000],
    ['sub:1700000000:u1', 2_000_000],
    ['kid:k1', 2_000_000],
    ['sid:gone', 1_000],
  ]);

  it('round-trips, leaving out what expired', () => {
    const body = JSON.parse(JSON.stringify(encodeRevocationSnapshot(members, 1_500_000)));
    expect(readRevocationSnapshot(body)).toEqual({
      asOf: 1_500_000,
      revocations: [
        { kind: 'session', sid: 's1', expiresAt: 2_000_000 },
        { kind: 'subject', sub: 'u1', notBefore: 1_700_000_000, expiresAt: 2_000_000 },
        { kind: 'key', kid: 'k1', expiresAt: 2_000_000 },
      ],
    });
  });

  it('skips a member this version does not understand', () => {
    const body = { revoked: [{ member: 'future:x', expires_at: 2_000_000 }], as_of: 1 };
    expect(readRevocationSnapshot(body)).toEqual({ revocations: [], asOf: 1 });
  });

  it.each([
    ['null', null],
    ['no list', { as_of: 1 }],
    ['no as_of', { revoked: [] }],
    ['a bad entry', { revoked: [{ member: 1, expires_at: 2 }], as_of: 1 }],
  ])('refuses %s', (_, body) => {
    expect(readRevocationSnapshot(body)).toBeNull();
  });
});
