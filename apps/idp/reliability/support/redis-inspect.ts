import { Redis } from 'ioredis';
import { storeKeys } from '@latchkey/protocol';

/**
 * A test's own connection to the Redis the IdP uses, to look behind the IdP's back: its
 * connections, and the invariants its records must keep whatever failed half-way.
 */
export interface RedisInspector {
  /** How many connections the IdP holds (its client names start with `latchkey-idp`). */
  idpConnections(): Promise<number>;
  /** Every broken invariant found, one line each; empty when all hold. */
  brokenInvariants(): Promise<string[]>;
  /** The authorization code records, by key, with their `used` flag. */
  codes(): Promise<Map<string, boolean>>;
  exists(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export function inspectRedis(url: string): RedisInspector {
  const redis = new Redis(url, {
    connectionName: 'reliability-test-inspector',
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
    lazyConnect: false,
  });
  redis.on('error', () => undefined);

  const keys = async (pattern: string): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    // Bounded: the test data is a few hundred keys; SCAN returns in a few dozen rounds.
    for (let round = 0; round < 10_000; round += 1) {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      found.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    return found;
  };

  return {
    async idpConnections() {
      const list = await redis.client('LIST');
      return String(list)
        .split('\n')
        .filter((line) => / name=latchkey-idp\S*/.test(line)).length;
    },

    async brokenInvariants() {
      const broken: string[] = [];
      const now = Date.now();
      // A login: the session is listed in its user's index (the index is written first), so
      // the sessions command can always find and revoke it.
      for (const key of await keys(storeKeys.session('*'))) {
        const raw = await redis.get(key);
        if (raw === null) continue; // expired meanwhile
        const session = JSON.parse(raw) as { sid: string; sub: string };
        if (key !== storeKeys.session(session.sid)) broken.push(`${key}: names another sid`);
        const score = await redis.zscore(storeKeys.userSessions(session.sub), session.sid);
        if (score === null || Number(score) <= now) {
          broken.push(`${key}: session missing from its user's index`);
        }
      }
      // A refresh family: always bound to a session id and a client, never a partial record.
      for (const key of await keys(storeKeys.refreshFamily('*'))) {
        const raw = await redis.get(key);
        if (raw === null) continue;
        const family = JSON.parse(raw) as Record<string, unknown>;
        for (const field of ['sid', 'sub', 'clientId', 'current']) {
          if (typeof family[field] !== 'string') broken.push(`${key}: no ${field}`);
        }
        if ((await redis.pttl(key)) < 0) broken.push(`${key}: no expiry`);
      }
      // A code: one record, used or not, always expiring.
      for (const key of await keys(storeKeys.authorizationCode('*'))) {
        const raw = await redis.get(key);
        if (raw === null) continue;
        const code = JSON.parse(raw) as { used?: unknown };
        if (typeof code.used !== 'boolean') broken.push(`${key}: no used flag`);
        if ((await redis.pttl(key)) < 0) broken.push(`${key}: no expiry`);
      }
      return broken;
    },

    async codes() {
      const codes = new Map<string, boolean>();
      for (const key of await keys(storeKeys.authorizationCode('*'))) {
        const raw = await redis.get(key);
        if (raw !== null) codes.set(key, (JSON.parse(raw) as { used: boolean }).used);
      }
      return codes;
    },

    async exists(key) {
      return (await redis.exists(key)) === 1;
    },

    async close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}
