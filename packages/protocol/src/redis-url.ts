/**
 * The one reading of a Redis URL, shared by the IdP (`REDIS_URL`) and the SDK's Redis
 * sources, so that both accept exactly the same forms:
 *
 * - `redis://…`, `rediss://…` (TLS): one server, handed to the client as written;
 * - `redis+sentinel://[user:pass@]host:port,host:port/MASTER_NAME`: the sentinels to ask for
 *   the current master of MASTER_NAME (port 26379 when omitted);
 * - `redis+cluster://[user:pass@]host:port,host:port`: seed nodes of a Redis Cluster (port
 *   6379 when omitted);
 * - `rediss+sentinel://…`, `rediss+cluster://…`: the same over TLS.
 *
 * The credentials belong to the data nodes; sentinels that require a password of their own
 * get it apart from the URL (the IdP's REDIS_SENTINEL_PASSWORD). Pure: no client is built
 * here, and an error message never repeats the value, which may hold a password.
 */

export interface RedisAddress {
  host: string;
  port: number;
}

interface Credentials {
  /** Percent-decoded; undefined when the URL gives none. */
  username?: string;
  password?: string;
}

export type RedisTarget =
  | { kind: 'standalone'; url: string; tls: boolean }
  | ({
      kind: 'sentinel';
      sentinels: RedisAddress[];
      masterName: string;
      tls: boolean;
    } & Credentials)
  | ({ kind: 'cluster'; seeds: RedisAddress[]; tls: boolean } & Credentials);

/** A URL that is not one of the forms above; `message` starts with the variable's name. */
export class RedisUrlError extends TypeError {
  readonly code = 'ERR_REDIS_URL';
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const DEFAULT_PORT = { sentinel: 26379, cluster: 6379 } as const;
export const REDIS_URL_FORMS =
  'redis://…, rediss://…, redis+sentinel://host:port,…/MASTER_NAME or redis+cluster://host:port,…';

/** Reads `value` (named `name` in errors, e.g. REDIS_URL); throws RedisUrlError. */
export function parseRedisUrl(value: string, name = 'url'): RedisTarget {
  const fail = (problem: string): never => {
    throw new RedisUrlError(`${name}: ${problem}`);
  };
  if (typeof value !== 'string') return fail(`must be a string (${REDIS_URL_FORMS})`);
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return fail(`has no scheme; expected ${REDIS_URL_FORMS}`);
  const rest = value.slice(scheme.length + 3);
  if (SCHEME.test(rest) || /[,/@][a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    return fail('mixes several URLs or schemes in one value; give one scheme and a list of hosts');
  }

  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(value);
    } catch {
      return fail('is not a valid URL');
    }
    return { kind: 'standalone', url: value, tls: scheme === 'rediss' };
  }

  const match = /^(rediss?)\+(sentinel|cluster)$/.exec(scheme);
  if (!match) return fail(`unsupported scheme "${scheme}:"; expected ${REDIS_URL_FORMS}`);
  const tls = match[1] === 'rediss';
  const kind = match[2] as 'sentinel' | 'cluster';

  // [user[:pass]@]hosts[/path][?query]; the password may itself hold '@', so the last one counts.
  const at = rest.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : rest.slice(0, at);
  const afterUserinfo = at === -1 ? rest : rest.slice(at + 1);
  if (afterUserinfo.includes('?') || afterUserinfo.includes('#')) {
    return fail(`takes no query string or fragment in a ${kind} URL`);
  }
  const slash = afterUserinfo.indexOf('/');
  const hostList = slash === -1 ? afterUserinfo : afterUserinfo.slice(0, slash);
  const path = slash === -1 ? '' : afterUserinfo.slice(slash + 1);

  const credentials = readCredentials(userinfo, fail);
  const addresses = hostList
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => readAddress(entry, DEFAULT_PORT[kind], fail));
  if (addresses.length === 0) {
    return fail(`names no ${kind === 'sentinel' ? 'sentinel' : 'seed node'} (host:port,…)`);
  }

  if (kind === 'sentinel') {
    let masterName = '';
    try {
      masterName = decodeURIComponent(path.replace(/\/+$/, ''));
    } catch {
      return fail('has a master name that is not valid percent-encoding');
    }
    if (masterName === '') {
      return fail('names no master: add /MASTER_NAME (the name the sentinels monitor)');
    }
    if (masterName.includes('/')) return fail('has a master name with "/"');
    return { kind, sentinels: addresses, masterName, tls, ...credentials };
  }
  if (path.replace(/\/+$/, '') !== '') {
    return fail('takes no path in a cluster URL (a cluster has one database)');
  }
  return { kind, seeds: addresses, tls, ...credentials };
}

function readCredentials(userinfo: string | undefined, fail: (problem: string) => never) {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  const rawUser = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon === -1 ? undefined : userinfo.slice(colon + 1);
  try {
    const credentials: Credentials = {};
    // As in redis://: `redis://:pass@host` is a password without a user name.
    if (rawUser !== '') credentials.username = decodeURIComponent(rawUser);
    if (rawPassword !== undefined && rawPassword !== '') {
      credentials.password = decodeURIComponent(rawPassword);
    }
    return credentials;
  } catch {
    return fail('has credentials that are not valid percent-encoding');
  }
}

function readAddress(
  entry: string,
  defaultPort: number,
  fail: (problem: string) => never,
): RedisAddress {
  // [::1]:6379, host:6379, host
  const bracketed = /^\[([0-9a-f:.]+)\](?::(.*))?$/i.exec(entry);
  const plain = bracketed ? null : /^([^:[\]]+)(?::(.*))?$/.exec(entry);
  const parts = bracketed ?? plain;
  if (!parts) return fail('has a host that is neither a name, an IPv4 address nor [IPv6]');
  const host = parts[1]!;
  const rawPort = parts[2];
  if (rawPort === undefined) return { host, port: defaultPort };
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return fail('has a port that is not a number from 1 to 65535');
  }
  return { host, port };
}
