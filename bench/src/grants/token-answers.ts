import { basic, REPORTS } from '../peers/bench-clients.js';
import { codeBody } from '../services/idp-fixtures.js';
import type { GrantServer } from './grant-server.js';
import { redeemAll, SHOP_HEADERS } from './redeem-all.js';

export const CLIENT_CREDENTIALS_BODY = 'grant_type=client_credentials&scope=wiki%3Aread';
export const REPORTS_HEADERS = {
  authorization: basic(REPORTS),
  'content-type': 'application/x-www-form-urlencoded',
};

export type Grant = 'client_credentials' | 'authorization_code' | 'refresh_token';

/**
 * What one answer of `server` holds for each grant, from one request of each before any timing
 * (e.g. "access ES256 JWT, id RS256 JWT, refresh opaque"): the rows compare servers that issue
 * different tokens, so the notes say which, as measured, not as configured. Fails when a grant
 * is refused or its access token is not an ES256 JWT: a fast refusal is not a result.
 */
export async function describeAnswers(server: GrantServer): Promise<Record<Grant, string>> {
  const [code, forRefresh] = await server.mintCodes(2);
  const [refreshToken] = await redeemAll(server.url, [codeBody(forRefresh!)]);
  return {
    client_credentials: await answer(server, REPORTS_HEADERS, CLIENT_CREDENTIALS_BODY),
    authorization_code: await answer(server, SHOP_HEADERS, codeBody(code!)),
    refresh_token: await answer(
      server,
      SHOP_HEADERS,
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken!)}`,
    ),
  };
}

async function answer(
  server: GrantServer,
  headers: Record<string, string>,
  body: string,
): Promise<string> {
  const response = await fetch(`${server.url}/token`, { method: 'POST', headers, body });
  const json = (await response.json()) as Record<string, unknown>;
  const kinds = (['access_token', 'id_token', 'refresh_token'] as const)
    .filter((field) => typeof json[field] === 'string')
    .map((field) => `${field.replace('_token', '')} ${tokenKind(json[field] as string)}`);
  if (response.status !== 200 || !kinds.includes('access ES256 JWT')) {
    throw new Error(
      `${server.name} did not issue an ES256 JWT access token: ${response.status} ${JSON.stringify(json)}`,
    );
  }
  return kinds.join(', ');
}

/** "ES256 JWT" for a signed JWT (its header's alg), else "opaque". */
function tokenKind(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'opaque';
  try {
    const { alg } = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as { alg?: string };
    return typeof alg === 'string' ? `${alg} JWT` : 'opaque';
  } catch {
    return 'opaque';
  }
}

/** Which side issues which tokens for `grant`, and where each keeps its state. */
export function tokensNote(
  grant: Grant,
  servers: readonly GrantServer[],
  answers: Map<string, Record<Grant, string>>,
): string {
  return servers
    .map((server) => `${server.name}: ${answers.get(server.name)?.[grant]} (${server.storage})`)
    .join('; ');
}
