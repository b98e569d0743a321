import { isLoopbackHost, isSigningAlgorithm } from '@latchkey/protocol';
import { digestSecret } from './client-secret.js';
import {
  DEVICE_CODE_GRANT,
  type Client,
  type GrantType,
  type TokenEndpointAuthMethod,
} from './client.js';
import { applicationType, checkRedirectUris } from './native-redirect-uris.js';

/**
 * The registration rules, one place for every door: CLIENTS_FILE (load-clients.ts) and the
 * admin API (client-service.ts). Field names are RFC 7591's where one exists.
 */

// Digests of the public demo secrets of DESIGN.md, so production can refuse them without
// the project's source holding a usable secret.
const DEMO_SECRET_DIGESTS = new Set([
  'qLomw0I+KiqYvUQqZHp+ShqXcnX9jf0eHUw9S5fyBm0=', // shop-demo-secret
  'DSnL4K5jToCd3wQErWzXyLeO/8W6w7l27lgXixKRVOM=', // wiki-demo-secret
  '8wcUAEN14NSdHTas5TmbFWrGEAwiW3eZcmMkIFrNte8=', // reports-demo-secret
  'Pv6MR2KEhdyCNhL8p/vOcwcNwMWiYED0R4V/XBKnHsk=', // partner-demo-secret
]);

export const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
];
export const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  DEVICE_CODE_GRANT,
];

/** Every field a registration may hold; the admin API refuses any other (a typo is not ignored). */
export const REGISTRATION_FIELDS = [
  'client_id',
  'client_name',
  'client_secret',
  'client_secret_sha256',
  'token_endpoint_auth_method',
  'grant_types',
  'redirect_uris',
  'post_logout_redirect_uris',
  'scope',
  'resources',
  'id_token_signed_response_alg',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'require_mfa',
  'id_token_on_refresh',
  'application_type',
  'dpop_bound_access_tokens',
  'web_origins',
  'require_pushed_authorization_requests',
  'first_party',
] as const;

export const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** In code points: a name is shown on consent and account pages, not stored as a payload. */
export const MAX_CLIENT_NAME = 200;
const MAX_URIS = 50;
const MAX_URI_LENGTH = 2_000;
const MAX_SCOPES = 100;
// RFC 6749 §3.3 scope-token: printable ASCII but space, `"` and `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

export interface ValidationOptions {
  readonly production: boolean;
  /** Refuse fields not in REGISTRATION_FIELDS (the API); CLIENTS_FILE tolerates them. */
  readonly strict?: boolean;
}

/** One registration checked: the client, or every problem found (never quoting a secret). */
export function validateRegistration(
  raw: unknown,
  options: ValidationOptions,
): { client: Client; problems: [] } | { client: null; problems: string[] } {
  const problems: string[] = [];
  const fail = () => ({ client: null, problems });
  const problem = (text: string) => problems.push(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem('must be an object');
    return fail();
  }
  const entry = raw as Record<string, unknown>;
  if (options.strict) {
    for (const field of Object.keys(entry)) {
      if (!(REGISTRATION_FIELDS as readonly string[]).includes(field))
        problem(`unknown field "${field.slice(0, 64)}"`);
    }
  }

  const id = entry.client_id;
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
    problem('client_id must be 1-64 characters of A-Z a-z 0-9 . _ -');
    return fail();
  }

  const authMethod = (entry.token_endpoint_auth_method ??
    'client_secret_basic') as TokenEndpointAuthMethod;
  if (!AUTH_METHODS.includes(authMethod))
    problem(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);

  let secretDigest: Buffer | null = null;
  if (typeof entry.client_secret === 'string') {
    if (entry.client_secret.length < 16) problem('client_secret must be at least 16 characters');
    secretDigest = digestSecret(entry.client_secret);
  } else if (typeof entry.client_secret_sha256 === 'string') {
    secretDigest = Buffer.from(entry.client_secret_sha256, 'base64');
    if (secretDigest.length !== 32) problem('client_secret_sha256 must be a base64 SHA-256 digest');
  }
  if (authMethod === 'none' && secretDigest)
    problem('a public client (auth method none) has no secret');
  if (authMethod !== 'none' && !secretDigest)
    problem('a confidential client needs client_secret or client_secret_sha256');
  if (
    options.production &&
    secretDigest &&
    DEMO_SECRET_DIGESTS.has(secretDigest.toString('base64'))
  )
    problem('uses a demo secret from DESIGN.md; refused in production');

  const grantTypes = stringList(
    entry.grant_types ?? ['authorization_code', 'refresh_token'],
    'grant_types',
    problem,
  );
  for (const grant of grantTypes) {
    if (!GRANT_TYPES.includes(grant as GrantType))
      problem(`grant_types: "${grant.slice(0, 64)}" is not supported`);
  }
  if (grantTypes.includes('client_credentials') && authMethod === 'none')
    problem('client_credentials needs a confidential client');
  const redirectUris = redirectUriList(entry.redirect_uris ?? [], 'redirect_uris', problem);
  const appType = applicationType(entry.application_type, problem);
  checkRedirectUris(redirectUris, appType, problem);
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0)
    problem('authorization_code needs at least one redirect_uri');
  const postLogoutRedirectUris = redirectUriList(
    entry.post_logout_redirect_uris ?? [],
    'post_logout_redirect_uris',
    problem,
  );
  const resources = uriList(entry.resources ?? [], 'resources', problem);
  if (resources.length === 0)
    problem("resources must name at least one API (the tokens' audience)");
  const scopes = scopeList(entry.scope ?? '', problem);
  const alg = entry.id_token_signed_response_alg ?? 'RS256';
  if (!isSigningAlgorithm(alg))
    problem('id_token_signed_response_alg must be ES256, RS256 or EdDSA');
  const name = clientName(entry.client_name, id, problem);
  const backchannelLogoutUri = backchannelUri(entry.backchannel_logout_uri, options, problem);
  const sessionRequired = entry.backchannel_logout_session_required ?? false;
  if (typeof sessionRequired !== 'boolean')
    problem('backchannel_logout_session_required must be true or false');
  const requireMfa = entry.require_mfa ?? false;
  if (typeof requireMfa !== 'boolean') problem('require_mfa must be true or false');
  const idTokenOnRefresh = entry.id_token_on_refresh ?? false;
  if (typeof idTokenOnRefresh !== 'boolean') problem('id_token_on_refresh must be true or false');
  const dpopBound = entry.dpop_bound_access_tokens ?? false;
  if (typeof dpopBound !== 'boolean') problem('dpop_bound_access_tokens must be true or false');
  const webOrigins = originList(entry.web_origins ?? [], problem);
  const requirePar = entry.require_pushed_authorization_requests ?? false;
  if (typeof requirePar !== 'boolean')
    problem('require_pushed_authorization_requests must be true or false');
  const firstParty = entry.first_party ?? true;
  if (typeof firstParty !== 'boolean') problem('first_party must be true or false');

  if (problems.length > 0) return fail();
  return {
    client: {
      id,
      name,
      secretDigest,
      authMethod,
      grantTypes: grantTypes as GrantType[],
      redirectUris,
      postLogoutRedirectUris,
      scopes,
      resources,
      idTokenSignedResponseAlg: isSigningAlgorithm(alg) ? alg : 'RS256',
      ...(backchannelLogoutUri !== undefined && { backchannelLogoutUri }),
      ...(sessionRequired === true && { backchannelLogoutSessionRequired: true }),
      ...(requireMfa === true && { requireMfa: true }),
      ...(idTokenOnRefresh === true && { idTokenOnRefresh: true }),
      ...(appType === 'native' && { applicationType: appType }),
      ...(dpopBound === true && { dpopBoundAccessTokens: true }),
      ...(webOrigins.length > 0 && { webOrigins }),
      ...(requirePar === true && { requirePushedAuthorizationRequests: true }),
      ...(firstParty === false && { firstParty: false }),
    },
    problems: [],
  };
}

function clientName(value: unknown, id: string, problem: (text: string) => void): string {
  if (value === undefined) return id;
  if (typeof value !== 'string' || value.trim() === '') {
    problem('client_name must be a non-empty string');
    return id;
  }
  // Any script is welcome; what would break a page or a log line is not.
  if ([...value].length > MAX_CLIENT_NAME)
    problem(`client_name must be at most ${MAX_CLIENT_NAME} characters`);
  if (CONTROL.test(value)) problem('client_name must not hold control characters');
  return value.normalize('NFC');
}

function scopeList(value: unknown, problem: (text: string) => void): string[] {
  if (typeof value !== 'string') {
    problem('scope must be a space-separated string');
    return [];
  }
  const scopes = value.split(' ').filter(Boolean);
  if (scopes.length > MAX_SCOPES) problem(`scope may name at most ${MAX_SCOPES} scopes`);
  else if (!scopes.every((scope) => SCOPE_TOKEN.test(scope)))
    problem('scope holds a character RFC 6749 §3.3 does not allow');
  return scopes;
}

function stringList(value: unknown, field: string, problem: (text: string) => void): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    problem(`${field} must be an array of strings`);
    return [];
  }
  if (value.length > MAX_URIS) {
    problem(`${field} may hold at most ${MAX_URIS} entries`);
    return [];
  }
  return value;
}

function uriList(value: unknown, field: string, problem: (text: string) => void): string[] {
  const list = stringList(value, field, problem);
  for (const uri of list) {
    if (uri.length > MAX_URI_LENGTH) {
      problem(`${field}: a URI is longer than ${MAX_URI_LENGTH} characters`);
      continue;
    }
    // Exact-match redirect URIs (OAuth 2.1 §2.3.1) leave no room for fragments.
    if (!absoluteUrl(uri) || uri.includes('#'))
      problem(`${field}: "${uri}" is not an absolute URI without fragment`);
  }
  return list;
}

/**
 * OAuth 2.1 §2.3.1 and RFC 8252 §7: a redirect goes to https, to http on the user's own
 * machine (a loopback host, `*.localhost` included), or to a native app's private-use scheme
 * (reverse domain name, hence a dot). Plain http elsewhere hands the code to whoever is on the
 * path.
 */
function redirectUriList(value: unknown, field: string, problem: (text: string) => void): string[] {
  const list = uriList(value, field, problem);
  for (const uri of list) {
    const url = absoluteUrl(uri);
    if (!url || url.hash || uri.length > MAX_URI_LENGTH) continue;
    const scheme = url.protocol.slice(0, -1);
    if (scheme === 'https') continue;
    if (scheme === 'http' && isLoopbackHost(url.hostname)) continue;
    if (scheme.includes('.') && !/^(javascript|data|file|vbscript)$/i.test(scheme)) continue;
    problem(
      `${field}: "${uri}" must be https (http only for loopback hosts, or an app's private-use scheme)`,
    );
  }
  return list;
}

/**
 * `web_origins`: each an origin as a browser sends it (RFC 6454 serialisation: scheme, host,
 * port only when not the default), so that the CORS check is an exact string match. https,
 * or http for a loopback host, as for redirect URIs.
 */
function originList(value: unknown, problem: (text: string) => void): string[] {
  const list = stringList(value, 'web_origins', problem);
  for (const origin of list) {
    const url = origin.length <= MAX_URI_LENGTH ? absoluteUrl(origin) : null;
    if (!url || url.origin !== origin) {
      problem(
        `web_origins: "${origin.slice(0, 200)}" is not an origin (scheme://host[:port], no path)`,
      );
    } else if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && isLoopbackHost(url.hostname))
    ) {
      problem(`web_origins: "${origin}" must be https (http only for loopback hosts)`);
    }
  }
  return list;
}

function absoluteUrl(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

/**
 * OIDC Back-Channel Logout 1.0 §2.2: an absolute URL, which may hold a query but no fragment.
 * The IdP POSTs signed logout tokens to it from the server, so plain http is refused in
 * production unless the host is loopback (a service on the same machine): anywhere else an
 * on-path attacker could read the token or answer in the receiver's place.
 */
function backchannelUri(
  value: unknown,
  options: ValidationOptions,
  problem: (text: string) => void,
): string | undefined {
  if (value === undefined) return undefined;
  const field = 'backchannel_logout_uri';
  if (typeof value !== 'string') {
    problem(`${field} must be a string`);
    return undefined;
  }
  const url = value.length <= MAX_URI_LENGTH ? absoluteUrl(value) : null;
  if (!url) {
    problem(`${field}: "${value.slice(0, 200)}" is not an absolute URL`);
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
