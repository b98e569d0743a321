import { describe, expect, it } from 'vitest';
import {
  CAEP_CREDENTIAL_CHANGE,
  CAEP_SESSION_REVOKED,
  SSF_VERIFICATION,
  signalRevocation,
  type SecurityEventClaims,
} from './shared-signals.js';

const ISS = 'https://idp.example';
const base = { iss: ISS, aud: 'receiver', iat: 1_000, jti: 'j1' };
const user = { format: 'iss_sub', iss: ISS, sub: 'u1' } as const;

function set(type: string, sub_id: SecurityEventClaims['sub_id'], event = {}): SecurityEventClaims {
  return { ...base, sub_id, events: { [type]: event } };
}

describe('signalRevocation', () => {
  it('session-revoked about {user, session} ends that sid', () => {
    const claims = set(
      CAEP_SESSION_REVOKED,
      {
        format: 'complex',
        user,
        session: { format: 'opaque', id: 's1' },
      },
      { event_timestamp: 990 },
    );
    expect(signalRevocation(claims, ISS)).toEqual({
      kind: 'session',
      sid: 's1',
      sub: 'u1',
      at: 990,
    });
  });

  it('session-revoked about a user ends every token issued before it', () => {
    expect(signalRevocation(set(CAEP_SESSION_REVOKED, user), ISS)).toEqual({
      kind: 'subject',
      sub: 'u1',
      at: 1_000,
      reason: 'session-revoked',
    });
  });

  it('credential-change revokes the subject', () => {
    const claims = set(CAEP_CREDENTIAL_CHANGE, user, {
      credential_type: 'password',
      change_type: 'update',
      event_timestamp: 995,
    });
    expect(signalRevocation(claims, ISS)).toMatchObject({ kind: 'subject', sub: 'u1', at: 995 });
  });

  it('another issuer’s user, a verification or two events revoke nothing', () => {
    expect(
      signalRevocation(set(CAEP_SESSION_REVOKED, { ...user, iss: 'https://other' }), ISS),
    ).toBeNull();
    expect(signalRevocation(set(SSF_VERIFICATION, { format: 'opaque', id: 'st' }), ISS)).toBeNull();
    const two = {
      ...base,
      sub_id: user,
      events: { [CAEP_SESSION_REVOKED]: {}, [CAEP_CREDENTIAL_CHANGE]: {} },
    };
    expect(signalRevocation(two, ISS)).toBeNull();
  });
});
