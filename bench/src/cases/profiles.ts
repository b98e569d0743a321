import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pick, type BenchContext } from '../context.js';
import { basic, REPORTS, SHOP } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { startLoadGenerator } from '../runner/load.js';
import type { LoadConfig } from '../runner/load-protocol.js';
import { codeBody, openIdpFixtures } from '../services/idp-fixtures.js';
import { CATEGORIES } from '../services/profile-categories.js';
import { redeemAll } from '../grants/redeem-all.js';

const CONNECTIONS = 16;
/** Where the profiles are written, to open in Chrome DevTools or speedscope (git-ignored). */
const PROFILES = fileURLToPath(new URL('../../results/profiles/', import.meta.url));
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * Case 11: where each grant's CPU time goes. The IdP's own V8 sampling profiler (through the
 * probe, so the IdP runs unchanged) records each grant at 16 connections; every busy sample
 * is put in one category (services/profile-categories.ts): signing, hashing, JSON, the Redis
 * and PostgreSQL clients, the socket and HTTP parsing, Koa, the IdP's own code, GC. One row
 * per grant, its throughput while profiled (the profiler costs a little) and the shares; the
 * profiles themselves go to bench/results/profiles/.
 */
export async function profilesCase(context: BenchContext): Promise<Row[]> {
  const [idp, redis] = [await context.idp(), await context.redis()];
  const fixtures = await openIdpFixtures(redis.url);
  const load = startLoadGenerator();
  const durationSec = pick(context, 5, 2);
  await mkdir(PROFILES, { recursive: true });
  try {
    const session = await fixtures.session();
    const codes = async (count: number) =>
      Promise.all(Array.from({ length: count }, () => fixtures.code(session)));
    const grants: { name: string; config: () => Promise<LoadConfig> }[] = [
      {
        name: 'client_credentials',
        config: () =>
          Promise.resolve({
            url: `${idp.url}/token`,
            method: 'POST',
            headers: { ...FORM, authorization: basic(REPORTS) },
            body: 'grant_type=client_credentials&scope=wiki%3Aread',
            connections: CONNECTIONS,
            durationSec,
          }),
      },
      {
        name: 'authorization_code',
        config: async () => ({
          url: `${idp.url}/token`,
          method: 'POST',
          headers: { ...FORM, authorization: basic(SHOP) },
          bodies: (await codes(pick(context, 6_000, 1_500))).map(codeBody),
          connections: CONNECTIONS,
          durationSec,
        }),
      },
      {
        name: 'refresh_token',
        config: async () => ({
          url: `${idp.url}/token`,
          method: 'POST',
          headers: { ...FORM, authorization: basic(SHOP) },
          refresh: {
            tokens: await redeemAll(idp.url, (await codes(2 * CONNECTIONS)).map(codeBody)),
            extraBody: '',
          },
          connections: CONNECTIONS,
          durationSec,
        }),
      },
    ];
    const rows: Row[] = [];
    for (const grant of grants) {
      context.log(`case 11: profiling ${grant.name}`);
      const config = await grant.config();
      await idp.probe('profile-start');
      const result = await load.run(config);
      const saveTo = join(PROFILES, `${grant.name}.cpuprofile`);
      const { categories = {} } = await idp.probe('profile-stop', false, [], {
        categorise: true,
        saveTo,
      });
      const failed = result.non2xx + result.errors + result.timeouts;
      if (failed > 0) throw new Error(`case 11 ${grant.name}: ${failed} requests failed`);
      rows.push({
        case: `11 CPU profile, ${grant.name}, ${CONNECTIONS} conn.`,
        latchkey: single(result.rps, '/s'),
        target: '–',
        met: null,
        note: CATEGORIES.filter((name) => (categories[name] ?? 0) >= 0.005)
          .map((name) => `${name} ${((categories[name] ?? 0) * 100).toFixed(1)} %`)
          .join(', '),
      });
    }
    return rows;
  } finally {
    await load.close();
    await fixtures.close();
  }
}
