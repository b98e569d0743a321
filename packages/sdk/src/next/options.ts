import { parseRedisUrl } from '@latchkey/protocol';
import { parseSecureUrl } from '../lib/url.js';
import type { BackChannelLogoutEvent } from '../logout/back-channel-logout.js';
import type { LoggedOutSessions } from '../logout/logged-out-sessions.js';

export interface LatchkeyNextLogger {
  warn(event: string, fields?: Record<string, unknown>): void;
}

export interface LatchkeyNextOptions {
  /** The IdP's public issuer URL: where the browser is sent, and the `iss` of every token. */
  issuer: string;
  /**
   * Base URL this server reaches the IdP at (token endpoint, JWKS), when it cannot resolve the
   * public one: `http://127.0.0.1:4000` beside a `*.localhost` issuer. Default: the issuer.
   */
  idpInternalUrl?: string;
  /**
   * Allow `idpInternalUrl` over plain http on a non-loopback host: a private network such as a
   * container network (`http://idp:4000`). The client secret and tokens cross it. Default false.
   */
  allowHttpIdp?: boolean;
  /** This app's public origin; the redirect URI is `${appUrl}/auth/callback`. */
  appUrl: string;
  clientId: string;
  /** The confidential client's secret, sent with HTTP Basic (RFC 6749 §2.3.1). */
  clientSecret: string;
  /** Scopes to ask for; `openid` is always included. Default `openid profile`. */
  scope?: string;
  /** RFC 8707 resource indicators: the APIs the access token should be good for. */
  resources?: string[];
  /** What this app's access token must be for (checked on every request, like any API). */
  audience: string | string[];
  /** 32 random bytes, base64url: the key that encrypts the session and login cookies. */
  sessionSecret: string;
  /** `redis://` URL of the IdP's Redis, for revocations pushed within milliseconds. */
  redisUrl: string;
  /** Where the IdP sends the browser after logout. Default `${appUrl}/`. */
  postLogoutRedirectUri?: string;
  /** Refresh the access token this many seconds before it expires. Default 60. */
  refreshBeforeSec?: number;
  /** Connection trouble and refused refreshes are reported here. Default: console.warn. */
  logger?: LatchkeyNextLogger;
  /**
   * Where back-channel logouts (`POST /auth/backchannel-logout`) are recorded, so that the
   * ended sessions' cookies are refused. Default: in memory, for this process (the README
   * says why that suffices beside the Redis source).
   */
  loggedOutSessions?: LoggedOutSessions;
  /** Called after a back-channel logout was recorded, to end anything else the app keeps. */
  onBackChannelLogout?: (event: BackChannelLogoutEvent) => void | Promise<void>;
}

export interface ResolvedNextOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  appOrigin: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  authorizeEndpoint: string;
  endSessionEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  allowHttpIdp: boolean;
  scope: string;
  resources: readonly string[];
  audience: string[];
  sessionKey: Buffer;
  redisUrl: string;
  refreshBeforeSec: number;
  /** Cookies carry `Secure` when the app is served over https. */
  secureCookies: boolean;
  logger: LatchkeyNextLogger;
  loggedOutSessions: LoggedOutSessions | undefined;
  onBackChannelLogout: ((event: BackChannelLogoutEvent) => void | Promise<void>) | undefined;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const consoleLogger: LatchkeyNextLogger = {
  // eslint-disable-next-line no-console -- the default for apps that pass no logger
  warn: (event, fields) => console.warn(`[latchkey] ${event}`, fields ?? ''),
};

/** Checks every option once, at start-up (TypeError naming the option), like createVerifier. */
export function resolveNextOptions(options: LatchkeyNextOptions): ResolvedNextOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createLatchkeyNext options must be an object');
  }
  const issuerUrl = parseSecureUrl(options.issuer);
  if (!issuerUrl || issuerUrl.search !== '' || issuerUrl.hash !== '') {
    throw new TypeError('issuer must be an https URL (http only for loopback hosts)');
  }
  const issuer = options.issuer;
  const allowHttpIdp = options.allowHttpIdp ?? false;
  if (typeof allowHttpIdp !== 'boolean') throw new TypeError('allowHttpIdp must be a boolean');
  const internal = parseSecureUrl(options.idpInternalUrl ?? issuer, allowHttpIdp);
  if (!internal) {
    throw new TypeError(
      'idpInternalUrl must be an https URL (http only for loopback hosts, or with allowHttpIdp)',
    );
  }
  const app = parseSecureUrl(options.appUrl);
  if (!app) throw new TypeError('appUrl must be an https URL (http only for loopback hosts)');

  for (const name of ['clientId', 'clientSecret', 'redisUrl'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new TypeError(`${name} must be a non-empty string`);
    }
  }
  try {
    // The forms of the IdP's REDIS_URL: one server, Sentinel or Cluster (the revocation source).
    parseRedisUrl(options.redisUrl, 'redisUrl');
  } catch (error) {
    throw new TypeError(error instanceof Error ? error.message : String(error));
  }

  const sessionKey = decodeKey(options.sessionSecret);
  const scope = resolveScope(options.scope ?? 'openid profile');
  const resources = options.resources ?? [];
  if (!Array.isArray(resources) || !resources.every(isAbsoluteUrl)) {
    throw new TypeError('resources must be an array of absolute URLs (RFC 8707 §2)');
  }
  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audience) || audience.length === 0 || !audience.every((a) => a !== '')) {
    throw new TypeError('audience must be a non-empty string or array of strings');
  }
  const refreshBeforeSec = options.refreshBeforeSec ?? 60;
  if (!Number.isInteger(refreshBeforeSec) || refreshBeforeSec < 0 || refreshBeforeSec > 3600) {
    throw new TypeError('refreshBeforeSec must be an integer between 0 and 3600');
  }
  const postLogoutRedirectUri = options.postLogoutRedirectUri ?? `${app.origin}/`;
  if (!isAbsoluteUrl(postLogoutRedirectUri)) {
    throw new TypeError('postLogoutRedirectUri must be an absolute URL');
  }

  const { loggedOutSessions, onBackChannelLogout } = options;
  if (
    loggedOutSessions !== undefined &&
    (typeof loggedOutSessions?.record !== 'function' ||
      typeof loggedOutSessions.check !== 'function')
  ) {
    throw new TypeError('loggedOutSessions must have record and check functions');
  }
  if (onBackChannelLogout !== undefined && typeof onBackChannelLogout !== 'function') {
    throw new TypeError('onBackChannelLogout must be a function');
  }

  const publicBase = issuer.replace(/\/+$/, '');
  const internalBase = internal.href.replace(/\/+$/, '');
  return Object.freeze({
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    appOrigin: app.origin,
    redirectUri: `${app.origin}/auth/callback`,
    postLogoutRedirectUri,
    // Fixed paths of the Latchkey IdP: the discovery document names the public host, which a
    // server beside a `*.localhost` issuer cannot resolve.
    authorizeEndpoint: `${publicBase}/authorize`,
    endSessionEndpoint: `${publicBase}/logout`,
    tokenEndpoint: `${internalBase}/token`,
    jwksUri: `${internalBase}/jwks`,
    allowHttpIdp,
    scope,
    resources: Object.freeze([...resources]),
    audience: [...audience],
    sessionKey,
    redisUrl: options.redisUrl,
    refreshBeforeSec,
    secureCookies: app.protocol === 'https:',
    logger: options.logger ?? consoleLogger,
    loggedOutSessions,
    onBackChannelLogout,
  });
}

function decodeKey(secret: unknown): Buffer {
  const key =
    typeof secret === 'string' && /^[\w-]+$/.test(secret)
      ? Buffer.from(secret, 'base64url')
      : undefined;
  if (key?.length !== 32) {
    throw new TypeError('sessionSecret must be 32 random bytes, base64url-encoded (43 characters)');
  }
  return key;
}

function resolveScope(scope: unknown): string {
  if (typeof scope !== 'string') throw new TypeError('scope must be a string');
  const tokens = scope.split(' ').filter((s) => s !== '');
  if (!tokens.every((s) => SCOPE_TOKEN.test(s))) {
    throw new TypeError('scope must be space-separated scope tokens (RFC 6749 §3.3)');
  }
  return [...new Set(['openid', ...tokens])].join(' ');
}

function isAbsoluteUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).hash === '';
  } catch {
    return false;
  }
}
