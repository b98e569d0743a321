import { storeKeys } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { newOpaqueToken } from '../tokens/opaque-token.js';
import { createSecondFactorSteps, SECOND_FACTOR_STEP_TTL_MS } from './second-factor-step.js';

const FIELDS = {
  authz: newOpaqueToken(),
  sub: 'id-bob',
  username: 'bob',
  amr: ['pwd'],
  csrfDigest: 'digest',
};

function steps() {
  let clock = Date.UTC(2026, 0, 1);
  const store = createMemoryStore({ now: () => clock });
  return {
    store,
    steps: createSecondFactorSteps(store),
    now: () => clock,
    advance: (ms: number) => (clock += ms),
  };
}

describe('SecondFactorSteps', () => {
  it('stores a step that can be found, then taken once', async () => {
    const { steps: repo, now } = steps();
    const step = await repo.create(FIELDS, now(), now() + 10 * 60_000);
    expect(step).toMatchObject(FIELDS);
    expect(step.expiresAt).toBe(now() + SECOND_FACTOR_STEP_TTL_MS);
    expect(await repo.find(step.id, now())).toEqual(step);
    expect(await repo.take(step.id, now())).toEqual(step);
    expect(await repo.take(step.id, now())).toBeNull();
  });

  it('never outlives its pending authorization', async () => {
    const { steps: repo, now, advance } = steps();
    const step = await repo.create(FIELDS, now(), now() + 60_000);
    expect(step.expiresAt).toBe(now() + 60_000);
    advance(60_000);
    expect(await repo.find(step.id, now())).toBeNull();
  });

  it('expires after its own short limit', async () => {
    const { steps: repo, now, advance } = steps();
    const step = await repo.create(FIELDS, now(), now() + 10 * 60_000);
    advance(SECOND_FACTOR_STEP_TTL_MS);
    expect(await repo.find(step.id, now())).toBeNull();
  });

  it('answers null for an id that is not ours or a record that is not a step', async () => {
    const { store, steps: repo, now } = steps();
    expect(await repo.find('../../etc', now())).toBeNull();
    const id = newOpaqueToken();
    await store.set(storeKeys.secondFactorStep(id), '{"id":"x"}', { ttlMs: 60_000 });
    expect(await repo.find(id, now())).toBeNull();
  });
});
