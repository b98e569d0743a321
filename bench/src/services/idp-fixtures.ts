import { createHash, randomBytes } from 'node:crypto';
import { createSessionRepository, type Session } from '@latchkey/idp/dist/sessions/session.js';
import { createStore } from '@latchkey/idp/dist/store/create-store.js';
import type { Store } from '@latchkey/idp/dist/store/store.js';
import { issueAuthorizationCode } from '@latchkey/idp/dist/tokens/authorization-code.js';
import { deriveUserId } from '@latchkey/idp/dist/users/load-users.js';
import { SHOP, WIKI_API } from '../peers/bench-clients.js';

/**
 * What a browser sign-in leaves in the IdP's Redis (a session, then a code at /authorize),
 * written with the IdP's own modules so the records are exactly its format. The password
 * step is skipped: case 7 measures it, and at ~20 Argon2id logins a second it would take the
 * other cases minutes to set up.
 */
export interface IdpFixtures {
  /** A session of `alice` (the demo user), as after a login. */
  session(): Promise<Session>;
  /** An authorization code for `shop` in `session`, as /authorize issues it. */
  code(session: Session): Promise<{ code: string; verifier: string }>;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

// Still a promise: callers await it, and a fixture that needs I/O again must not change them.
export function openIdpFixtures(redisUrl: string): Promise<IdpFixtures> {
  const store: Store = createStore(redisUrl);
  const sessions = createSessionRepository(store, { idleTtlMs: HOUR, maxTtlMs: 12 * HOUR });
  // The IdP imported the demo users into its directory before it answered /readyz; alice has
  // no explicit id in USERS_FILE, so her sub is the one derived from her name.
  const user = { id: deriveUserId('alice'), username: 'alice' };
  return Promise.resolve({
    session: () => sessions.create({ sub: user.id, username: user.username }, Date.now()),
    async code(session) {
      const verifier = randomBytes(32).toString('base64url');
      const code = await issueAuthorizationCode(store, {
        clientId: SHOP.id,
        redirectUri: SHOP.redirectUri,
        codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
        scope: ['openid', 'profile', 'email', 'offline_access', 'wiki:read'],
        resources: [WIKI_API],
        sid: session.sid,
        sub: session.sub,
        authTime: session.authTime,
      });
      return { code, verifier };
    },
    close: () => store.close(),
  });
}

/** The token request body that redeems a code for `shop` (client_secret_basic). */
export function codeBody({ code, verifier }: { code: string; verifier: string }): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: SHOP.redirectUri,
  }).toString();
}

/** Codes as /authorize would issue them, one session per 50: several apps of one user, each signing in. */
export async function mintCodes(
  fixtures: IdpFixtures,
  count: number,
): Promise<{ code: string; verifier: string }[]> {
  const codes = [];
  for (let i = 0; i < count; i += 50) {
    const session = await fixtures.session();
    codes.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () => fixtures.code(session)),
      )),
    );
  }
  return codes;
}
