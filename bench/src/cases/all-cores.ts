import { availableParallelism } from 'node:os';
import type { BenchContext } from '../context.js';
import { clientCredentialsRounds, codeRounds, refreshRounds } from '../grants/grant-rounds.js';
import { atLeast, p99Row, ratioRow, runsNote, type RatioTarget } from '../grants/grant-rows.js';
import { latchkeyServer, peerServer, type GrantServer } from '../grants/grant-server.js';
import {
  startLatchkeyOnPostgres,
  type LatchkeyOnPostgres,
} from '../grants/latchkey-on-postgres.js';
import { describeAnswers, tokensNote, type Grant } from '../grants/token-answers.js';
import { SIGNING_FLOOR, startSigningFloor, type BaselineServer } from '../peers/bare-koa.js';
import { startOidcProvider, type OidcPeer } from '../peers/oidc-provider.js';
import type { HttpRoundsResult } from '../runner/http-rounds.js';
import { redisCpuMicros, treeCpuMicros } from '../runner/process-cpu.js';
import { roundRatios } from '../runner/rounds.js';
import { startLoadGenerator } from '../runner/load.js';
import { figure, type Row } from '../report/row.js';
import { spread } from '../runner/stats.js';

const CONNECTIONS = [1, 16, 64] as const;
const PEER = { name: 'oidc-provider/cluster', label: 'oidc-provider, cluster, Redis adapter' };
const latchkeyName = (workers: number) => `latchkey/${workers}w`;
/** The signing floor in one process, beside the IDP_WORKERS row: what a second process gives. */
const ONE_FLOOR = 'signing-floor/1';

/**
 * All cores each, nothing pinned: Latchkey with IDP_WORKERS = the machine's cores against
 * oidc-provider under Node's cluster module with as many workers on its Redis adapter (a Map
 * lives in one process, so workers cannot share it), on the same Redis server; the grants of
 * cases 4 and 5. Target: Latchkey's ratio at least its one-core ratio for the grant (cases 4
 * and 5 of the same run): more cores must not shrink its lead. Then IDP_WORKERS=2 against 1
 * for client_credentials at 16 connections, the load generator sharing the cores.
 */
export async function allCoresCase(context: BenchContext): Promise<Row[]> {
  const cores = availableParallelism();
  const latchkeys = new Map<number, LatchkeyOnPostgres>();
  let peer: OidcPeer | undefined;
  let floor: BaselineServer | undefined;
  let narrowFloor: BaselineServer | undefined;
  const load = startLoadGenerator();
  try {
    for (const workers of new Set([cores, 2, 1])) {
      context.log(`all-cores: starting Latchkey with IDP_WORKERS=${workers}`);
      latchkeys.set(workers, await startLatchkeyOnPostgres('all-cores', workers));
    }
    const servers = new Map<number, GrantServer>();
    for (const [workers, latchkey] of latchkeys) {
      const plain = latchkeyServer(latchkeyName(workers), latchkey.idp, latchkey.fixtures);
      servers.set(workers, metered(plain, latchkey.redis.url));
    }
    const server = (workers: number): GrantServer => servers.get(workers)!;
    const wide = server(cores);
    const redisUrl = latchkeys.get(cores)!.redis.url;
    peer = await startOidcProvider({ redisUrl, workers: cores });
    const pair = [
      wide,
      metered(peerServer(PEER.name, peer, 'codes, grants and refresh tokens in Redis'), redisUrl),
    ];
    floor = await startSigningFloor(cores);
    narrowFloor = await startSigningFloor(1);
    const wideFloor = { name: SIGNING_FLOOR.name, url: floor.url };
    const oneFloor = { name: ONE_FLOOR, url: narrowFloor.url };
    const answers = new Map<string, Record<Grant, string>>();
    for (const contender of pair) answers.set(contender.name, await describeAnswers(contender));
    const setting =
      `nothing pinned; ${cores} core(s): Latchkey IDP_WORKERS=${cores}, oidc-provider under ` +
      `cluster with ${cores} worker(s) on its Redis adapter (a Map cannot be shared between workers)`;

    const rows: Row[] = [];
    const versus = (grant: Grant, key: string, title: string, result: HttpRoundsResult) => {
      const label = `all cores each: ${title}`;
      const target = oneCoreTarget(context, key);
      const missing = target ? '' : 'no one-core ratio in this run (cases 4 and 5 not run); ';
      const note = `${missing}${setting}; ${tokensNote(grant, pair, answers)}; ${runsNote(result.runs)}`;
      rows.push(ratioRow(label, result, wide.name, PEER, target, note));
      const shared = sharedCpuRow(label, result, wide.name, context.oneCoreRatios.get(key));
      if (shared) rows.push(shared);
    };
    for (const connections of CONNECTIONS) {
      context.log(`all-cores: client_credentials at ${connections} connection(s)`);
      const workers = connections === 16 ? [server(2), server(1), oneFloor] : [];
      const servers = [...pair, wideFloor, ...workers];
      const unique = [...new Map(servers.map((s) => [s.name, s])).values()];
      const result = await clientCredentialsRounds(context, load, unique, connections);
      const title = `client_credentials, ${connections} conn.`;
      versus('client_credentials', `client_credentials ${connections}`, title, result);
      rows.push(floorRow(context, title, connections, result, wide.name));
      if (connections === 16) {
        rows.push(p99Row(`all cores each: ${title}`, result, wide.name, PEER, null));
        rows.push(workersRow(result));
      }
    }
    context.log('all-cores: authorization_code redemption');
    const codes = await codeRounds(context, load, pair, 16);
    versus('authorization_code', 'authorization_code', 'code redemption, 16 conn.', codes);
    rows.push(p99Row('all cores each: code redemption, 16 conn.', codes, wide.name, PEER, null));
    context.log('all-cores: refresh_token with rotation');
    const refresh = await refreshRounds(context, load, pair, 16);
    versus('refresh_token', 'refresh_token', 'refresh_token (rotated), 16 conn.', refresh);
    rows.push(
      p99Row('all cores each: refresh_token (rotated), 16 conn.', refresh, wide.name, PEER, null),
    );
    return rows;
  } finally {
    await load.close();
    await peer?.stop();
    await floor?.stop();
    await narrowFloor?.stop();
    for (const latchkey of latchkeys.values()) await latchkey.stop();
  }
}

/** `server` telling its process tree's CPU time and its Redis server's. */
function metered(server: GrantServer, redisUrl: string): GrantServer {
  return {
    ...server,
    cpuMicros: () => treeCpuMicros(server.pid),
    redisCpuMicros: () => redisCpuMicros(redisUrl),
  };
}

/** Below this share of every core in use, a rate is set by waiting (latency), not by CPU. */
const BUSY = 0.85;

/**
 * Why a lead shrinks on shared cores. With every core busy, a server's rate is the cores over
 * the machine's CPU time per answer: its own (I), Redis's (R) and the load generator's (L),
 * so the all-cores ratio is (I_peer + R_peer + L_peer) / (I + R + L). With the engines as on
 * one core (I_peer = k·I, k the one-core ratio), that is at least k exactly when
 * R + L ≤ (R_peer + L_peer) / k: the bar this row sets Latchkey's Redis and load-generator
 * time per answer. L is the load generator's, on requests alike for both servers: when it
 * alone is over the bar, no server whose engine keeps its one-core ratio, even one that sent
 * Redis nothing, keeps its lead. Where the cores were not busy (one connection: one request
 * at a time) rates follow latency instead, and the row sets no bar.
 */
function sharedCpuRow(
  label: string,
  result: HttpRoundsResult,
  latchkey: string,
  oneCore: number | undefined,
): Row | null {
  const parts = (name: string) => {
    const server = result.cpuPerAnswer.figures.get(name)?.median;
    const redis = result.redisCpuPerAnswer.figures.get(name)?.median;
    const load = result.loadCpuPerAnswer.figures.get(name)?.median;
    const rps = result.rps.figures.get(name)?.median;
    if (server === undefined || redis === undefined || load === undefined || !rps) return;
    return {
      server,
      redis,
      load,
      busy: ((server + redis + load) * rps) / 1e6 / availableParallelism(),
    };
  };
  const mine = parts(latchkey);
  const theirs = parts(PEER.name);
  if (oneCore === undefined || !mine || !theirs) return null;
  const sharedSpread = (name: string) => {
    const redis = result.redisCpuPerAnswer.samples.get(name)!;
    const load = result.loadCpuPerAnswer.samples.get(name)!;
    return spread(redis.map((value, i) => value + (load[i] ?? Number.NaN)));
  };
  const µs = (value: number) => `${value.toFixed(0)} µs`;
  const describe = (p: NonNullable<typeof mine>) =>
    `IdP ${µs(p.server)}, Redis ${µs(p.redis)}, load generator ${µs(p.load)} ` +
    `(cores ${(100 * p.busy).toFixed(0)} % busy)`;
  const bar = (theirs.redis + theirs.load) / oneCore;
  const busy = mine.busy >= BUSY && theirs.busy >= BUSY;
  const verdict = !busy
    ? `the cores were not busy (under ${100 * BUSY} %): the rates follow latency, no bar`
    : mine.load > bar
      ? `the load generator alone spends ${µs(mine.load)} on Latchkey's answers, over the ` +
        'bar: no server whose engine keeps its one-core ratio keeps its lead here'
      : 'the load generator alone is under the bar';
  return {
    case: `${label}: Redis + load generator CPU per answer`,
    latchkey: figure(sharedSpread(latchkey), ' µs'),
    peer: { name: PEER.label, figure: figure(sharedSpread(PEER.name), ' µs') },
    target: busy ? `≤ ${µs(bar)} (peer's / ${oneCore.toFixed(2)})` : '–',
    met: busy ? mine.redis + mine.load <= bar : null,
    note:
      `CPU per answer, every process of each: latchkey ${describe(mine)}; oidc-provider ` +
      `${describe(theirs)}. The engines' ratio here: ` +
      `${(theirs.server / mine.server).toFixed(2)}× (one core: ${oneCore.toFixed(2)}×). ` +
      `With the cores busy, the rates' ratio is that of these sums; ${verdict}`,
  };
}

/** Latchkey's one-core ratio for the grant, from cases 4 and 5 of this run, as the bar. */
function oneCoreTarget(context: BenchContext, key: string): RatioTarget | null {
  const oneCore = context.oneCoreRatios.get(key);
  if (oneCore === undefined) return null;
  return { text: `≥ one core (${oneCore.toFixed(2)}×)`, met: (ratio) => ratio >= oneCore };
}

/**
 * Latchkey against the signing floor in as many processes (case 4's floor, under cluster),
 * beside its one-core share of the floor: a share kept means Latchkey scales as well as a
 * server that does nothing but sign, whatever the peer's ratio does.
 */
function floorRow(
  context: BenchContext,
  title: string,
  connections: number,
  result: HttpRoundsResult,
  latchkey: string,
): Row {
  const oneCore = (key: string) => {
    const ratio = context.oneCoreRatios.get(`${key} client_credentials ${connections}`);
    return ratio === undefined ? '– (case 4 not run)' : `${ratio.toFixed(2)}×`;
  };
  const floorOverPeer = roundRatios(result.rps, SIGNING_FLOOR.name, PEER.name).median;
  const floorOneCore = context.oneCoreRatios.get(
    `floor over peer client_credentials ${connections}`,
  );
  return ratioRow(
    `all cores each: ${title}`,
    result,
    latchkey,
    {
      name: SIGNING_FLOOR.name,
      label: `${SIGNING_FLOOR.label}, ${availableParallelism()} processes`,
    },
    null,
    `nothing pinned; one core each, the same pair read ${oneCore('floor')}. The floor itself ` +
      `against oidc-provider: ${floorOverPeer.toFixed(2)}× here, ${oneCore('floor over peer')} ` +
      'on one core' +
      (floorOneCore !== undefined && floorOverPeer < floorOneCore
        ? ': the floor loses lead on all cores too, so no server could keep its one-core ratio'
        : ''),
  );
}

/**
 * IDP_WORKERS=2 over 1, both unpinned, the load generator sharing the cores; the note gives
 * what a second process gives the signing floor in the same rounds, the most any server could
 * gain here (with two cores, when the floor runs in two processes).
 */
function workersRow(result: HttpRoundsResult): Row {
  const floorGain =
    availableParallelism() === 2
      ? `; the signing floor, 2 processes over 1 in the same rounds: ${roundRatios(result.rps, SIGNING_FLOOR.name, ONE_FLOOR).median.toFixed(2)}×`
      : '';
  return ratioRow(
    'IDP_WORKERS=2 vs 1: client_credentials, 16 conn.',
    result,
    latchkeyName(2),
    { name: latchkeyName(1), label: 'latchkey, IDP_WORKERS=1' },
    atLeast(1.4),
    `nothing pinned, the load generator on the same ${availableParallelism()} core(s); measured in the rounds of the all-cores client_credentials row${floorGain}`,
  );
}
