import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeFor,
  oauthError,
  redeem,
  refresh,
  SHOP,
  signIn,
  signInToShop,
  SPA,
  withTestClients,
} from '../../test-support/grants.js';
import { startClockedTestIdp, type TestIdp } from '../../test-support/test-idp.js';

const MIN = 60_000;
let idp: TestIdp;
let removeClients: () => Promise<void>;
let clock = Date.now();

beforeAll(async () => {
  const clients = await withTestClients();
  removeClients = clients.remove;
  idp = await startClockedTestIdp(() => clock, {
    CLIENTS_FILE: clients.file,
    PUBLIC_CLIENT_REFRESH_IDLE_TTL: '10m',
    REFRESH_TOKEN_TTL: '7d',
  });
});
afterAll(async () => {
  await idp.close();
  await removeClients();
});

async function spaRefreshToken(): Promise<string> {
  const { session } = await signIn(idp, { username: 'bob' }, clock);
  const issued = await codeFor(idp.store, session, SPA, { scope: ['openid', 'offline_access'] });
  const result = await redeem(idp, issued, SPA);
  expect(result.status).toBe(200);
  return result.json.refresh_token as string;
}

describe('PUBLIC_CLIENT_REFRESH_IDLE_TTL', () => {
  it("a public client's refresh token lapses after the idle lifetime; each use starts it again", async () => {
    const first = await spaRefreshToken();
    clock += 8 * MIN;
    const used = await refresh(idp, first, SPA);
    expect(used.status).toBe(200);
    // 16 minutes after the login, 8 after the rotation: the rotated token still lives.
    clock += 8 * MIN;
    const again = await refresh(idp, used.json.refresh_token as string, SPA);
    expect(again.status).toBe(200);
    clock += 11 * MIN;
    expect(oauthError(await refresh(idp, again.json.refresh_token as string, SPA))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
  });

  it("a confidential client's refresh token keeps REFRESH_TOKEN_TTL", async () => {
    const { tokens } = await signInToShop(idp, 'carol', { nowMs: clock });
    clock += 11 * MIN;
    expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(200);
  });
});
