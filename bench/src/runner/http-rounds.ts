import type { LoadGenerator } from './load.js';
import type { LoadConfig, LoadResult } from './load-protocol.js';
import { runRounds, type RoundsResult } from './rounds.js';
import { spread, type Spread } from './stats.js';

export interface HttpContender {
  name: string;
  /** The load of one round; called again each round (single-use bodies must be fresh). */
  config: (round: number) => LoadConfig | Promise<LoadConfig>;
  /**
   * The server's CPU time so far, in µs, when it can tell (a Latchkey IdP, through its probe):
   * then each round also gives the server's CPU time per answer, which the load generator and
   * other jobs on the machine disturb far less than the rate.
   */
  cpuMicros?: () => Promise<number | undefined>;
  /** The CPU time so far in µs of the Redis server it uses (which others may share). */
  redisCpuMicros?: () => Promise<number | undefined>;
}

export interface HttpRoundsResult {
  /** Requests per second (2xx only), per round, as for any other rounds. */
  rps: RoundsResult;
  p50Ms: Map<string, Spread>;
  p99Ms: Map<string, Spread>;
  /** Every run, for the JSON report and for checking that nothing failed. */
  runs: Map<string, LoadResult[]>;
  /** Server CPU µs per successful answer, per round, for the contenders with `cpuMicros`. */
  cpuPerAnswer: RoundsResult;
  /** The load generator's CPU µs per successful answer, per round, for every contender. */
  loadCpuPerAnswer: RoundsResult;
  /** Redis's CPU µs per successful answer, per round, for the contenders with `redisCpuMicros`. */
  redisCpuPerAnswer: RoundsResult;
}

/**
 * HTTP load in rounds: each contender gets the same load in turn, the order rotating. A run
 * with failed requests (non-2xx, errors, timeouts) fails the case: a fast error is not a result.
 */
export async function runHttpRounds(
  load: LoadGenerator,
  contenders: readonly HttpContender[],
  {
    rounds,
    warmup,
    allowFailures = false,
  }: { rounds: number; warmup: number; allowFailures?: boolean },
): Promise<HttpRoundsResult> {
  const runs = new Map(contenders.map((c) => [c.name, [] as LoadResult[]]));
  const perAnswer = (names: string[]) => new Map(names.map((name) => [name, [] as number[]]));
  const cpu = perAnswer(contenders.filter((c) => c.cpuMicros !== undefined).map((c) => c.name));
  const loadCpu = perAnswer(contenders.map((c) => c.name));
  const redisCpu = perAnswer(
    contenders.filter((c) => c.redisCpuMicros !== undefined).map((c) => c.name),
  );
  const rps = await runRounds(
    contenders.map((contender) => ({
      name: contender.name,
      async run(round) {
        const config = await contender.config(round);
        const before = await contender.cpuMicros?.();
        const redisBefore = await contender.redisCpuMicros?.();
        const result = await load.run(config);
        const after = await contender.cpuMicros?.();
        const redisAfter = await contender.redisCpuMicros?.();
        const failed = result.non2xx + result.errors + result.timeouts;
        if (failed > 0 && !allowFailures) {
          throw new Error(
            `${contender.name}: ${failed} of ${result.ok + failed} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
          );
        }
        if (round >= warmup) {
          runs.get(contender.name)!.push(result);
          if (result.ok > 0) {
            if (before !== undefined && after !== undefined) {
              cpu.get(contender.name)!.push((after - before) / result.ok);
            }
            if (redisBefore !== undefined && redisAfter !== undefined) {
              redisCpu.get(contender.name)!.push((redisAfter - redisBefore) / result.ok);
            }
            loadCpu.get(contender.name)!.push(result.cpuMicros / result.ok);
          }
        }
        return result.rps;
      },
    })),
    { rounds, warmup },
  );
  const over = (pick: (r: LoadResult) => number) =>
    new Map([...runs].map(([name, results]) => [name, spread(results.map(pick))]));
  return {
    rps,
    p50Ms: over((r) => r.p50Ms),
    p99Ms: over((r) => r.p99Ms),
    runs,
    cpuPerAnswer: asRounds(cpu),
    loadCpuPerAnswer: asRounds(loadCpu),
    redisCpuPerAnswer: asRounds(redisCpu),
  };
}

function asRounds(samples: Map<string, number[]>): RoundsResult {
  return {
    samples,
    figures: new Map([...samples].map(([name, values]) => [name, spread(values)])),
  };
}
