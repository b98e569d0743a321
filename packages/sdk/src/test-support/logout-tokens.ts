import { randomUUID } from 'node:crypto';
import { BACKCHANNEL_LOGOUT_EVENT } from '@latchkey/protocol';
import type { JWTPayload } from 'jose';
import { CLIENT_ID, type Fixture } from './fixture.js';
import { sign, type TestKey } from './keys.js';

/** Logout tokens as the IdP sends them (Back-Channel Logout §2.4), on the fixture's clock. */

/** A valid claim set; an override of `undefined` leaves that claim out. */
export function logoutClaims(f: Fixture, overrides: JWTPayload = {}): JWTPayload {
  const claims: JWTPayload = {
    iss: f.idp.issuer,
    sub: 'user-1',
    aud: CLIENT_ID,
    iat: f.nowSec(),
    exp: f.nowSec() + 120,
    jti: randomUUID(),
    sid: 'sid-1',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete claims[name];
  }
  return claims;
}

/** Signed with the ID-token key (RS256) and typed `logout+jwt` unless told otherwise. */
export function signLogout(
  f: Fixture,
  claims: JWTPayload,
  options: { typ?: string | undefined; key?: TestKey } = {},
): Promise<string> {
  const typ = 'typ' in options ? options.typ : 'logout+jwt';
  return sign(options.key ?? f.keys.rs256, claims, { typ });
}
