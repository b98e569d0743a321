import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, form, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

const REPORTS = basicAuth('reports', 'reports-demo-secret');
const WIKI_API = 'http://wiki.localhost:3002/api';

async function token(
  body: string | Uint8Array | URLSearchParams,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: JSON.parse(text) as Record<string, unknown>,
  };
}

/** Every refusal is an RFC 6749 §5.2 JSON error, never a 5xx. */
function expectOAuthError(result: Awaited<ReturnType<typeof token>>, error: string, status = 400) {
  expect(result.status).toBe(status);
  expect(result.json.error).toBe(error);
  expect(typeof result.json.error_description).toBe('string');
  expect(result.headers.get('cache-control')).toBe('no-store');
}

describe('POST /token, grant_type=client_credentials (RFC 6749 §4.4)', () => {
  it('issues an RFC 9068 access token to a client authenticated with client_secret_basic', async () => {
    const result = await token(form({ grant_type: 'client_credentials' }), {
      Authorization: REPORTS,
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'wiki:read reports:write',
    });

    const accessToken = result.json.access_token as string;
    const header = decodeProtectedHeader(accessToken);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(header.kid).toBe(idp.keys.signingKey('ES256').kid);

    const { payload } = await jwtVerify(
      accessToken,
      createRemoteJWKSet(new URL(`${idp.url}/jwks`)),
      {
        issuer: 'http://idp.localhost:4000',
        audience: WIKI_API,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      },
    );
    expect(payload).toMatchObject({
      sub: 'reports',
      client_id: 'reports',
      scope: 'wiki:read reports:write',
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(typeof payload.jti).toBe('string');
    expect(payload.aud).not.toBe('reports');
    expect(accessToken.length).toBeLessThan(1024);
  });

  it('accepts client_secret_post from a client registered for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-clients-'));
    const file = join(dir, 'clients.json');
    await writeFile(
      file,
      JSON.stringify([
        {
          client_id: 'poster',
          client_secret: 'a-long-enough-post-secret',
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['client_credentials'],
          resources: [WIKI_API],
        },
      ]),
    );
    const other = await startTestIdp({ CLIENTS_FILE: file });
    try {
      const response = await fetch(`${other.url}/token`, {
        method: 'POST',
        body: form({
          grant_type: 'client_credentials',
          client_id: 'poster',
          client_secret: 'a-long-enough-post-secret',
        }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer');
    } finally {
      await other.close();
      await rm(dir, { recursive: true });
    }
  });

  it('refuses a method other than the registered one', async () => {
    const result = await token(
      form({
        grant_type: 'client_credentials',
        client_id: 'reports',
        client_secret: 'reports-demo-secret',
      }),
    );
    expectOAuthError(result, 'invalid_client', 401);
  });

  it('narrows the scope and the audience on request (RFC 8707 resource)', async () => {
    const result = await token(
      form({ grant_type: 'client_credentials', scope: 'wiki:read', resource: WIKI_API }),
      {
        Authorization: REPORTS,
      },
    );
    expect(result.status).toBe(200);
    expect(result.json.scope).toBe('wiki:read');
    const payload = JSON.parse(
      Buffer.from((result.json.access_token as string).split('.')[1]!, 'base64url').toString(),
    );
    expect(payload.aud).toBe(WIKI_API);
  });

  it('gives every token a fresh jti', async () => {
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        token(form({ grant_type: 'client_credentials' }), { Authorization: REPORTS }),
      ),
    );
    expect(a!.json.access_token).not.toBe(b!.json.access_token);
  });
});

describe('POST /token refuses bad requests with the RFC 6749 §5.2 error', () => {
  it('unknown client → invalid_client with a Basic challenge', async () => {
    const result = await token(form({ grant_type: 'client_credentials' }), {
      Authorization: basicAuth('nobody', 'x'),
    });
    expectOAuthError(result, 'invalid_client', 401);
    expect(result.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('wrong secret → invalid_client', async () => {
    const result = await token(form({ grant_type: 'client_credentials' }), {
      Authorization: basicAuth('reports', 'reports-demo-secreT'),
    });
    expectOAuthError(result, 'invalid_client', 401);
  });

  it('no client authentication → invalid_client', async () => {
    expectOAuthError(
      await token(form({ grant_type: 'client_credentials' })),
      'invalid_client',
      401,
    );
  });

  it('malformed Basic header → invalid_client', async () => {
    for (const header of [
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'Basic JQ==',
    ]) {
      expectOAuthError(
        await token(form({ grant_type: 'client_credentials' }), { Authorization: header }),
        'invalid_client',
        401,
      );
    }
  });

  it('two authentication methods at once → invalid_request', async () => {
    const result = await token(
      form({ grant_type: 'client_credentials', client_secret: 'reports-demo-secret' }),
      {
        Authorization: REPORTS,
      },
    );
    expectOAuthError(result, 'invalid_request');
  });

  it('a client not registered for the device grant → unauthorized_client', async () => {
    expectOAuthError(
      await token(form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }), {
        Authorization: REPORTS,
      }),
      'unauthorized_client',
    );
  });

  it('unsupported grant → unsupported_grant_type', async () => {
    for (const grant of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
      expectOAuthError(
        await token(form({ grant_type: grant }), { Authorization: REPORTS }),
        'unsupported_grant_type',
      );
    }
  });

  it('missing grant_type → invalid_request', async () => {
    expectOAuthError(await token(form({}), { Authorization: REPORTS }), 'invalid_request');
  });

  it('a client not registered for the grant → unauthorized_client', async () => {
    const result = await token(form({ grant_type: 'client_credentials' }), {
      Authorization: basicAuth('shop', 'shop-demo-secret'),
    });
    expectOAuthError(result, 'unauthorized_client');
  });

  it('a scope the client may not have → invalid_scope', async () => {
    for (const scope of ['admin', 'wiki:read admin', '"quoted"', 'wiki:read  reports:write']) {
      expectOAuthError(
        await token(form({ grant_type: 'client_credentials', scope }), { Authorization: REPORTS }),
        'invalid_scope',
      );
    }
  });

  it('an unregistered or malformed resource → invalid_target (RFC 8707 §2)', async () => {
    for (const resource of ['http://evil.localhost/api', 'not a uri', `${WIKI_API}#frag`]) {
      expectOAuthError(
        await token(form({ grant_type: 'client_credentials', resource }), {
          Authorization: REPORTS,
        }),
        'invalid_target',
      );
    }
  });

  it('a repeated parameter → invalid_request (§3.2)', async () => {
    const result = await token('grant_type=client_credentials&grant_type=client_credentials', {
      Authorization: REPORTS,
    });
    expectOAuthError(result, 'invalid_request');
  });

  it('a JSON body → invalid_request', async () => {
    const result = await token(JSON.stringify({ grant_type: 'client_credentials' }), {
      Authorization: REPORTS,
      'Content-Type': 'application/json',
    });
    expectOAuthError(result, 'invalid_request');
  });

  it('no content type → invalid_request', async () => {
    const response = await fetch(`${idp.url}/token`, {
      method: 'POST',
      headers: { Authorization: REPORTS },
      body: new Uint8Array([1, 2]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('a body that is not UTF-8 → invalid_request', async () => {
    const result = await token(new Uint8Array([0x67, 0x3d, 0xff, 0xfe]), {
      Authorization: REPORTS,
    });
    expectOAuthError(result, 'invalid_request');
  });

  it('an oversized body → 413 invalid_request, refused on its declared length', async () => {
    const result = await token(`grant_type=client_credentials&pad=${'a'.repeat(1024 * 1024)}`, {
      Authorization: REPORTS,
    });
    expectOAuthError(result, 'invalid_request', 413);
  });

  it('an oversized chunked body (no Content-Length) → 413 once the limit is crossed', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const request = httpRequest(`${idp.url}/token`, {
          method: 'POST',
          headers: {
            Authorization: REPORTS,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Transfer-Encoding': 'chunked',
          },
        });
        request.once('error', reject);
        request.once('response', (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        });
        request.write('grant_type=client_credentials&pad=');
        for (let i = 0; i < 4; i++) request.write('a'.repeat(8 * 1024));
        request.end();
      },
    );
    expect(status).toBe(413);
    expect((JSON.parse(body) as { error: string }).error).toBe('invalid_request');
  });

  it('malformed percent-encoding → a 4xx error, never a crash', async () => {
    const result = await token('grant_type=client_credentials&scope=%E0%A4%A&resource=%ZZ', {
      Authorization: REPORTS,
    });
    expectOAuthError(result, 'invalid_scope');
  });

  it('an over-long parameter → invalid_request', async () => {
    const result = await token(
      form({ grant_type: 'client_credentials', scope: 'a'.repeat(5000) }),
      { Authorization: REPORTS },
    );
    expectOAuthError(result, 'invalid_request');
  });

  it('GET /token → 405 with an Allow header', async () => {
    const response = await fetch(`${idp.url}/token`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('POST');
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});
