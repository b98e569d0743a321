/**
 * An oidc-provider storage adapter on a plain Map. Its default in-memory adapter is an LRU of
 * 1,000 entries, which a load test overflows within a second (each code brings a grant, each
 * refresh a new token), evicting live grants. Unbounded is fine for a bench run of minutes;
 * expiry is honoured on read.
 */
type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

const store = new Map<string, { payload: Payload; expiresAt: number }>();
const grants = new Map<string, Set<string>>();

export class MapAdapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.grantId) {
      const keys = grants.get(payload.grantId) ?? new Set<string>();
      keys.add(key);
      grants.set(payload.grantId, keys);
    }
    return Promise.resolve();
  }

  find(id: string): Promise<Payload | undefined> {
    const key = this.key(id);
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    return Promise.resolve(entry && entry.expiresAt > Date.now() ? entry.payload : undefined);
  }

  findByUid(uid: string): Promise<Payload | undefined> {
    for (const { payload } of store.values())
      if (payload.uid === uid) return Promise.resolve(payload);
    return Promise.resolve(undefined);
  }

  findByUserCode(userCode: string): Promise<Payload | undefined> {
    for (const { payload } of store.values()) {
      if (payload.userCode === userCode) return Promise.resolve(payload);
    }
    return Promise.resolve(undefined);
  }

  consume(id: string): Promise<void> {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    store.delete(this.key(id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const key of grants.get(grantId) ?? []) store.delete(key);
    grants.delete(grantId);
    return Promise.resolve();
  }
}
