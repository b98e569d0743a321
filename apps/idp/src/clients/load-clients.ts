import { readFile } from 'node:fs/promises';
import { isLoopbackHost, isSigningAlgorithm } from '@latchkey/protocol';
import { digestSecret } from './client-secret.js';
import type { Client, GrantType, TokenEndpointAuthMethod } from './client.js';

/** CLIENTS_FILE cannot be used; `problems` holds one line per bad entry. */
export class ClientsFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ClientsFileError';
  }
}

// Digests of the public demo secrets of DESIGN.md, so production can refuse them without
// the project's source holding a usable secret.
const DEMO_SECRET_DIGESTS = new Set([
  'qLomw0I+KiqYvUQqZHp+ShqXcnX9jf0eHUw9S5fyBm0=', // shop-demo-secret
  'DSnL4K5jToCd3wQErWzXyLeO/8W6w7l27lgXixKRVOM=', // wiki-demo-secret
  '8wcUAEN14NSdHTas5TmbFWrGEAwiW3eZcmMkIFrNte8=', // reports-demo-secret
]);

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
];
const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
];

export async function loadClientsFile(
  path: string,
  options: { production: boolean },
): Promise<Client[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ClientsFileError([`CLIENTS_FILE: cannot read ${path}`]);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new ClientsFileError([`CLIENTS_FILE: ${path} is not valid JSON`]);
  }
  return parseClients(entries, options);
}

/**
 * Validates the registrations. Each entry: `client_id`, `client_secret` (plain, hashed at
 * load) or `client_secret_sha256` (base64 digest), `token_endpoint_auth_method`,
 * `grant_types`, `redirect_uris`, `post_logout_redirect_uris`, `scope`, `resources`,
 * optional `client_name`, `id_token_signed_response_alg`, `backchannel_logout_uri` and
 * `backchannel_logout_session_required`.
 */
export function parseClients(entries: unknown, options: { production: boolean }): Client[] {
  if (!Array.isArray(entries)) throw new ClientsFileError(['CLIENTS_FILE: must hold a JSON array']);
  const problems: string[] = [];
  const clients: Client[] = [];
  const seen = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    const at = `CLIENTS_FILE: client #${index}`;
    const problem = (text: string) => problems.push(`${at}: ${text}`);
    if (typeof entry !== 'object' || entry === null) return problem('must be an object');
    const raw = entry as Record<string, unknown>;

    const id = raw.client_id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      return problem('client_id must be 1-64 characters of A-Z a-z 0-9 . _ -');
    }
    if (seen.has(id)) return problem(`client_id "${id}" is registered twice`);
    seen.add(id);

    const authMethod = (raw.token_endpoint_auth_method ??
      'client_secret_basic') as TokenEndpointAuthMethod;
    if (!AUTH_METHODS.includes(authMethod))
      problem(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);

    let secretDigest: Buffer | null = null;
    if (typeof raw.client_secret === 'string') {
      if (raw.client_secret.length < 16) problem('client_secret must be at least 16 characters');
      secretDigest = digestSecret(raw.client_secret);
    } else if (typeof raw.client_secret_sha256 === 'string') {
      secretDigest = Buffer.from(raw.client_secret_sha256, 'base64');
      if (secretDigest.length !== 32)
        problem('client_secret_sha256 must be a base64 SHA-256 digest');
    }
    if (authMethod === 'none' && secretDigest)
      problem('a public client (auth method none) has no secret');
    if (authMethod !== 'none' && !secretDigest)
      problem('a confidential client needs client_secret or client_secret_sha256');
    if (
      options.production &&
      secretDigest &&
      DEMO_SECRET_DIGESTS.has(secretDigest.toString('base64'))
    ) {
      problem('uses a demo secret from DESIGN.md; refused in production');
    }

    const grantTypes = stringList(
      raw.grant_types ?? ['authorization_code', 'refresh_token'],
      'grant_types',
      problem,
    );
    for (const grant of grantTypes) {
      if (!GRANT_TYPES.includes(grant as GrantType))
        problem(`grant type "${grant}" is not supported`);
    }
    if (grantTypes.includes('client_credentials') && authMethod === 'none') {
      problem('client_credentials needs a confidential client');
    }
    const redirectUris = uriList(raw.redirect_uris ?? [], 'redirect_uris', problem);
    if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
      problem('authorization_code needs at least one redirect_uri');
    }
    const postLogoutRedirectUris = uriList(
      raw.post_logout_redirect_uris ?? [],
      'post_logout_redirect_uris',
      problem,
    );
    const resources = uriList(raw.resources ?? [], 'resources', problem);
    if (resources.length === 0)
      problem("resources must name at least one API (the tokens' audience)");
    const scope = raw.scope ?? '';
    if (typeof scope !== 'string') problem('scope must be a space-separated string');
    const alg = raw.id_token_signed_response_alg ?? 'RS256';
    if (!isSigningAlgorithm(alg))
      problem('id_token_signed_response_alg must be ES256, RS256 or EdDSA');
    const name = typeof raw.client_name === 'string' ? raw.client_name : id;
    const backchannelLogoutUri = backchannelUri(raw.backchannel_logout_uri, options, problem);
    const sessionRequired = raw.backchannel_logout_session_required ?? false;
    if (typeof sessionRequired !== 'boolean')
      problem('backchannel_logout_session_required must be true or false');
    const requireMfa = raw.require_mfa ?? false;
    if (typeof requireMfa !== 'boolean') problem('require_mfa must be true or false');
    const dpopBound = raw.dpop_bound_access_tokens ?? false;
    if (typeof dpopBound !== 'boolean') problem('dpop_bound_access_tokens must be true or false');

    clients.push({
      id,
      name,
      secretDigest,
      authMethod,
      grantTypes: grantTypes as GrantType[],
      redirectUris,
      postLogoutRedirectUris,
      scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
      resources,
      idTokenSignedResponseAlg: isSigningAlgorithm(alg) ? alg : 'RS256',
      ...(backchannelLogoutUri !== undefined && { backchannelLogoutUri }),
      ...(sessionRequired === true && { backchannelLogoutSessionRequired: true }),
      ...(requireMfa === true && { requireMfa: true }),
      ...(dpopBound === true && { dpopBoundAccessTokens: true }),
    });
  });
  if (problems.length > 0) throw new ClientsFileError(problems);
  return clients;
}

function stringList(value: unknown, field: string, problem: (text: string) => void): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    problem(`${field} must be an array of strings`);
    return [];
  }
  return value;
}

function uriList(value: unknown, field: string, problem: (text: string) => void): string[] {
  const list = stringList(value, field, problem);
  for (const uri of list) {
    let url: URL | null = null;
    try {
      url = new URL(uri);
    } catch {
      // reported below
    }
    // Exact-match redirect URIs (OAuth 2.1 §2.3.1) leave no room for fragments.
    if (!url || url.hash) problem(`${field}: "${uri}" is not an absolute URI without fragment`);
  }
  return list;
}

/**
 * OIDC Back-Channel Logout 1.0 §2.2: an absolute URL, which may hold a query but no fragment.
 * The IdP POSTs signed logout tokens to it from the server, so plain http is refused in
 * production unless the host is loopback (a service on the same machine): anywhere else an
 * on-path attacker could read the token or answer in the receiver's place.
 */
function backchannelUri(
  value: unknown,
  options: { production: boolean },
  problem: (text: string) => void,
): string | undefined {
  if (value === undefined) return undefined;
  const field = 'backchannel_logout_uri';
  if (typeof value !== 'string') {
    problem(`${field} must be a string`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(`${field}: "${value}" is not an absolute URL`);
    return undefined;
  }
  if (url.hash || value.includes('#')) problem(`${field}: "${value}" must not have a fragment`);
  else if (url.protocol !== 'https:' && url.protocol !== 'http:')
    problem(`${field}: "${value}" must be an https URL`);
  else if (url.username || url.password) problem(`${field}: "${value}" must not hold credentials`);
  else if (url.protocol === 'http:' && options.production && !isLoopbackHost(url.hostname))
    problem(`${field}: "${value}" must be https in production (http only for loopback hosts)`);
  return value;
}
