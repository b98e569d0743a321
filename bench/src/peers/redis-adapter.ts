import { Redis } from 'ioredis';

/**
 * An oidc-provider storage adapter on Redis through ioredis, as its production users deploy
 * it (its in-memory adapter is for development): every model a hash under its own key,
 * expiring with the model; tokens of one grant listed under the grant, so that revoking the
 * grant (a reused refresh token) removes them all in one transaction. Written for the bench,
 * after the adapter interface oidc-provider documents; one connection per process, shared by
 * every model, as an application would.
 *
 * The bench points it at the same Redis server as Latchkey's, under its own key prefix.
 */
type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

/** Models whose instances belong to a grant (revokeByGrantId removes them). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

const PREFIX = 'oidc-peer';
let shared: Redis | undefined;

/** Set once, before the provider is created: REDIS_URL of the server the bench started. */
export function connectRedisAdapter(url: string): void {
  shared = new Redis(url, { connectionName: 'oidc-provider-peer', maxRetriesPerRequest: 1 });
}

function redis(): Redis {
  if (!shared) throw new Error('connectRedisAdapter was not called');
  return shared;
}

const grantKey = (id: string) => `${PREFIX}:grant:${id}`;
const userCodeKey = (code: string) => `${PREFIX}:userCode:${code}`;
const uidKey = (uid: string) => `${PREFIX}:uid:${uid}`;

export class RedisAdapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${PREFIX}:${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
    const key = this.key(id);
    const transaction = redis().multi();
    transaction.del(key);
    transaction.hset(key, 'payload', JSON.stringify(payload));
    if (expiresIn) transaction.expire(key, expiresIn);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const grant = grantKey(payload.grantId);
      transaction.rpush(grant, key);
      // The grant list lives as long as its longest-lived token.
      const ttl = await redis().ttl(grant);
      if (expiresIn > ttl) transaction.expire(grant, expiresIn);
    }
    if (payload.userCode) {
      transaction.set(userCodeKey(payload.userCode), id);
      if (expiresIn) transaction.expire(userCodeKey(payload.userCode), expiresIn);
    }
    if (payload.uid) {
      transaction.set(uidKey(payload.uid), id);
      if (expiresIn) transaction.expire(uidKey(payload.uid), expiresIn);
    }
    await transaction.exec();
  }

  async find(id: string): Promise<Payload | undefined> {
    const fields = await redis().hgetall(this.key(id));
    if (!fields.payload) return undefined;
    const payload = JSON.parse(fields.payload) as Payload;
    if (fields.consumed) payload.consumed = Number(fields.consumed);
    return payload;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const id = await redis().get(uidKey(uid));
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const id = await redis().get(userCodeKey(userCode));
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    await redis().hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    await redis().del(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grant = grantKey(grantId);
    const keys = await redis().lrange(grant, 0, -1);
    const transaction = redis().multi();
    for (const key of keys) transaction.del(key);
    transaction.del(grant);
    await transaction.exec();
  }
}
