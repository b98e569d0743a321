import { SSF_MANAGE_SCOPE, ssfAudience } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { ISSUER, withTestClients } from './grants.js';
import { basicAuth, startTestIdp, type TestIdp, type TestIdpOptions } from './test-idp.js';

/** Shared Signals receivers registered for the tests: two with the scope, one without. */
export const RECEIVER_A = { id: 'receiver-a', secret: 'receiver-a-test-secret' };
export const RECEIVER_B = { id: 'receiver-b', secret: 'receiver-b-test-secret' };
export const NO_SCOPE = { id: 'receiver-no-scope', secret: 'receiver-no-scope-secret' };
export const SSF_AUDIENCE = ssfAudience(ISSUER);

function receiverClient(
  receiver: { id: string; secret: string },
  scope: string,
): Record<string, unknown> {
  return {
    client_id: receiver.id,
    client_secret: receiver.secret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    scope,
    resources: [SSF_AUDIENCE],
  };
}

/** The test IdP with the receivers above in its CLIENTS_FILE. */
export async function startSsfTestIdp(
  env: Record<string, string> = {},
  store?: Store,
  options: TestIdpOptions = {},
): Promise<TestIdp> {
  const clients = await withTestClients([
    receiverClient(RECEIVER_A, SSF_MANAGE_SCOPE),
    receiverClient(RECEIVER_B, SSF_MANAGE_SCOPE),
    receiverClient(NO_SCOPE, 'reports:write'),
  ]);
  const idp = await startTestIdp({ CLIENTS_FILE: clients.file, ...env }, store, options);
  const close = idp.close.bind(idp);
  return {
    ...idp,
    async close() {
      await close();
      await clients.remove();
    },
  };
}

/** A client_credentials access token for the SSF API. */
export async function receiverToken(
  idp: { url: string },
  receiver: { id: string; secret: string },
): Promise<string> {
  const response = await fetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { Authorization: basicAuth(receiver.id, receiver.secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: SSF_AUDIENCE }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`no token for ${receiver.id}: ${body.error}`);
  return body.access_token;
}

/** One call to the SSF API; `body` a value (sent as JSON) or a raw string. */
export async function ssfCall(
  idp: { url: string },
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${idp.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
}
