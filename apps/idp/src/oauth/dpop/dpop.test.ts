import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsOf,
  codeFor,
  ISSUER,
  oauthError,
  post,
  redeem,
  refresh,
  signIn,
  SPA,
  withTestClients,
  type HttpResult,
} from '../../test-support/grants.js';
import { dpopProver, type DpopProver } from '../../test-support/dpop-prover.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

const TOKEN_URL = `${ISSUER}/token`;
const USERINFO_URL = `${ISSUER}/userinfo`;
const REPORTS = basicAuth('reports', 'reports-demo-secret');
const BOUND = {
  id: 'dpop-only',
  redirectUri: 'http://cli.localhost/callback',
  resources: SPA.resources,
};

let idp: TestIdp;
let removeClients: () => Promise<void>;
let prover: DpopProver;

beforeAll(async () => {
  const clients = await withTestClients([
    {
      client_id: BOUND.id,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [BOUND.redirectUri],
      resources: BOUND.resources,
      dpop_bound_access_tokens: true,
    },
  ]);
  removeClients = clients.remove;
  idp = await startTestIdp({ CLIENTS_FILE: clients.file });
  prover = await dpopProver();
});
afterAll(async () => {
  await idp.close();
  await removeClients();
});

function clientCredentials(dpop?: string): Promise<HttpResult> {
  return post(
    idp,
    '/token',
    { grant_type: 'client_credentials' },
    { Authorization: REPORTS, ...(dpop !== undefined && { DPoP: dpop }) },
  );
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A proof nobody could have signed: `alg` none, or an HMAC made with a key in the header. */
function unsignedProof(alg: string, jwk: Record<string, unknown>): string {
  const claims = {
    jti: randomUUID(),
    htm: 'POST',
    htu: TOKEN_URL,
    iat: Math.floor(Date.now() / 1000),
  };
  return `${b64({ typ: 'dpop+jwt', alg, jwk })}.${b64(claims)}.${alg === 'none' ? '' : 'c2ln'}`;
}

describe('DPoP at /token (RFC 9449 §5)', () => {
  it('RFC 9449 §5: a proof binds the access token (cnf.jkt) and says token_type DPoP', async () => {
    const result = await clientCredentials(await prover.proof('POST', TOKEN_URL));
    expect(result.status).toBe(200);
    expect(result.json.token_type).toBe('DPoP');
    const token = result.json.access_token as string;
    expect(claimsOf(token).cnf).toEqual({ jkt: prover.jkt });

    // RFC 9449 §6.2: introspection tells a resource server the key.
    const introspection = await post(idp, '/introspect', { token }, { Authorization: REPORTS });
    expect(introspection.json.cnf).toEqual({ jkt: prover.jkt });
  });

  it('RFC 9449 §5: without a proof, a plain bearer token', async () => {
    const result = await clientCredentials();
    expect(result.json.token_type).toBe('Bearer');
    expect(claimsOf(result.json.access_token as string).cnf).toBeUndefined();
  });

  it.each([['ES256'], ['EdDSA'], ['RS256']] as const)(
    'RFC 9449 §5: a proof signed with %s is accepted',
    async (alg) => {
      const other = await dpopProver(alg);
      const result = await clientCredentials(await other.proof('POST', TOKEN_URL));
      expect(result.status).toBe(200);
      expect(claimsOf(result.json.access_token as string).cnf).toEqual({ jkt: other.jkt });
    },
  );

  const bad: [string, () => Promise<string>][] = [
    ['RFC 9449 §4.3: refuses a proof whose htm differs', () => prover.proof('GET', TOKEN_URL)],
    [
      'RFC 9449 §4.3: refuses a proof whose htu differs',
      () => prover.proof('POST', `${ISSUER}/userinfo`),
    ],
    [
      'RFC 9449 §4.3: refuses a proof with an old iat',
      () =>
        prover.proof('POST', TOKEN_URL, { claims: { iat: Math.floor(Date.now() / 1000) - 600 } }),
    ],
    [
      'RFC 9449 §4.3: refuses a private key in the header',
      () => prover.proof('POST', TOKEN_URL, { header: { jwk: prover.privateJwk } }),
    ],
    [
      'RFC 9449 §4.3: refuses alg none',
      () => Promise.resolve(unsignedProof('none', prover.publicJwk as Record<string, unknown>)),
    ],
    [
      'RFC 9449 §4.3: refuses a symmetric alg',
      () => Promise.resolve(unsignedProof('HS256', { kty: 'oct', k: 'c2VjcmV0' })),
    ],
    [
      'RFC 9449 §4.3: refuses a typ other than dpop+jwt',
      () => prover.proof('POST', TOKEN_URL, { header: { typ: 'JWT' } }),
    ],
    ['RFC 9449 §4.3: refuses a DPoP header that is not a JWS', () => Promise.resolve('garbage')],
  ];
  it.each(bad)('%s', async (_name, makeProof) => {
    const result = await clientCredentials(await makeProof());
    expect(oauthError(result)).toEqual({ status: 400, error: 'invalid_dpop_proof' });
  });

  it('RFC 9449 §11.1: refuses a replayed jti', async () => {
    const proof = await prover.proof('POST', TOKEN_URL);
    expect((await clientCredentials(proof)).status).toBe(200);
    expect(oauthError(await clientCredentials(proof))).toEqual({
      status: 400,
      error: 'invalid_dpop_proof',
    });
  });

  it('RFC 9449 §5.2: dpop_bound_access_tokens makes the proof mandatory', async () => {
    const { session } = await signIn(idp, { username: 'alice' });
    const issued = await codeFor(idp.store, session, BOUND);
    expect(oauthError(await redeem(idp, issued, BOUND))).toEqual({
      status: 400,
      error: 'invalid_dpop_proof',
    });
    const result = await redeem(idp, issued, BOUND, {}, await prover.proof('POST', TOKEN_URL));
    expect(result.status).toBe(200);
    expect(result.json.token_type).toBe('DPoP');
  });

  describe("a public client's refresh token is bound to its key (RFC 9449 §5)", () => {
    let refreshToken: string;
    beforeAll(async () => {
      const { session } = await signIn(idp, { username: 'alice' });
      const issued = await codeFor(idp.store, session, SPA, {
        scope: ['openid', 'offline_access'],
      });
      const result = await redeem(idp, issued, SPA, {}, await prover.proof('POST', TOKEN_URL));
      expect(result.status).toBe(200);
      refreshToken = result.json.refresh_token as string;
    });

    it('RFC 9449 §5: refuses the refresh without a proof, or with another key', async () => {
      expect(oauthError(await refresh(idp, refreshToken, SPA))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      const thief = await dpopProver();
      const stolen = await refresh(
        idp,
        refreshToken,
        SPA,
        {},
        await thief.proof('POST', TOKEN_URL),
      );
      expect(oauthError(stolen)).toEqual({ status: 400, error: 'invalid_grant' });
    });

    it('RFC 9449 §5: refreshes with a proof by the same key, and stays bound', async () => {
      const first = await refresh(
        idp,
        refreshToken,
        SPA,
        {},
        await prover.proof('POST', TOKEN_URL),
      );
      expect(first.status).toBe(200);
      expect(first.json.token_type).toBe('DPoP');
      expect(claimsOf(first.json.access_token as string).cnf).toEqual({ jkt: prover.jkt });
      const next = first.json.refresh_token as string;
      expect(oauthError(await refresh(idp, next, SPA))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    });
  });

  it('discovery lists dpop_signing_alg_values_supported', async () => {
    const response = await fetch(`${idp.url}/.well-known/openid-configuration`);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256']);
  });
});

describe('DPoP at /userinfo (RFC 9449 §7)', () => {
  let token: string;
  beforeAll(async () => {
    const { session } = await signIn(idp, { username: 'alice' });
    const issued = await codeFor(idp.store, session, SPA);
    const result = await redeem(idp, issued, SPA, {}, await prover.proof('POST', TOKEN_URL));
    token = result.json.access_token as string;
  });

  async function userinfo(
    scheme: string,
    dpop?: string,
  ): Promise<{ status: number; error: unknown; challenge: string | null }> {
    const response = await fetch(`${idp.url}/userinfo`, {
      headers: { Authorization: `${scheme} ${token}`, ...(dpop !== undefined && { DPoP: dpop }) },
    });
    const body = (await response.json()) as Record<string, unknown>;
    return {
      status: response.status,
      error: body.error,
      challenge: response.headers.get('WWW-Authenticate'),
    };
  }

  it('RFC 9449 §7.1: answers a bound token with the DPoP scheme and a proof naming it', async () => {
    const result = await userinfo(
      'DPoP',
      await prover.proof('GET', USERINFO_URL, { accessToken: token }),
    );
    expect(result.status).toBe(200);
  });

  it('RFC 9449 §7.2: refuses a DPoP-bound token sent as Bearer', async () => {
    const result = await userinfo('Bearer');
    expect(result.status).toBe(401);
    expect(result.error).toBe('invalid_token');
    expect(result.challenge).toMatch(/^DPoP .*error="invalid_token"/);
  });

  it('RFC 9449 §7.1: refuses a proof by a key that does not match cnf.jkt', async () => {
    const other = await dpopProver();
    const result = await userinfo(
      'DPoP',
      await other.proof('GET', USERINFO_URL, { accessToken: token }),
    );
    expect(result).toMatchObject({ status: 401, error: 'invalid_token' });
    expect(result.challenge).toMatch(/^DPoP /);
  });

  const bad: [string, () => Promise<string | undefined>][] = [
    ['RFC 9449 §7.1: refuses the DPoP scheme without a proof', () => Promise.resolve(undefined)],
    ['RFC 9449 §4.3: refuses a proof without ath', () => prover.proof('GET', USERINFO_URL)],
    [
      'RFC 9449 §4.3: refuses a proof whose ath is of another token',
      () => prover.proof('GET', USERINFO_URL, { accessToken: 'another-token' }),
    ],
    [
      'RFC 9449 §4.3: refuses a proof whose htm differs',
      () => prover.proof('POST', USERINFO_URL, { accessToken: token }),
    ],
    [
      'RFC 9449 §4.3: refuses a proof whose htu differs',
      () => prover.proof('GET', TOKEN_URL, { accessToken: token }),
    ],
    [
      'RFC 9449 §4.3: refuses a proof with an old iat',
      () =>
        prover.proof('GET', USERINFO_URL, {
          accessToken: token,
          claims: { iat: Math.floor(Date.now() / 1000) - 600 },
        }),
    ],
    [
      'RFC 9449 §4.3: refuses a private key in the header',
      () =>
        prover.proof('GET', USERINFO_URL, {
          accessToken: token,
          header: { jwk: prover.privateJwk },
        }),
    ],
  ];
  it.each(bad)('%s', async (_name, makeProof) => {
    const result = await userinfo('DPoP', await makeProof());
    expect(result).toMatchObject({ status: 401, error: 'invalid_dpop_proof' });
    expect(result.challenge).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
  });

  it('RFC 9449 §11.1: refuses a replayed proof', async () => {
    const proof = await prover.proof('GET', USERINFO_URL, { accessToken: token });
    expect((await userinfo('DPoP', proof)).status).toBe(200);
    expect(await userinfo('DPoP', proof)).toMatchObject({
      status: 401,
      error: 'invalid_dpop_proof',
    });
  });

  it('RFC 9449 §7.1: refuses an unbound token sent with the DPoP scheme', async () => {
    const plain = await clientCredentials();
    const unbound = plain.json.access_token as string;
    const response = await fetch(`${idp.url}/userinfo`, {
      headers: {
        Authorization: `DPoP ${unbound}`,
        DPoP: await prover.proof('GET', USERINFO_URL, { accessToken: unbound }),
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
  });
});
