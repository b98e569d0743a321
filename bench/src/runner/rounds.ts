import { spread, type Spread } from './stats.js';

/** One thing being measured: Latchkey, or one of its peers. */
export interface Contender {
  name: string;
  /** Measures one round and returns its figure (e.g. operations per second). */
  run(round: number): Promise<number>;
}

export interface RoundsResult {
  /** Per contender, its figure in every measured round, in order. */
  samples: Map<string, number[]>;
  figures: Map<string, Spread>;
}

/**
 * Runs every contender once per round, the order rotating each round, so that a burst of
 * noise from the shared machine or a slow drift (thermal, another job) hits all of them
 * alike. Warm-up rounds run the same way and are thrown away: the first runs pay for JIT
 * compilation, key imports and connection set-up.
 */
export async function runRounds(
  contenders: readonly Contender[],
  { rounds, warmup }: { rounds: number; warmup: number },
): Promise<RoundsResult> {
  const samples = new Map(contenders.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < warmup + rounds; round += 1) {
    const shift = round % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    for (const contender of order) {
      const figure = await contender.run(round);
      if (round >= warmup) samples.get(contender.name)!.push(figure);
    }
  }
  const figures = new Map([...samples].map(([name, values]) => [name, spread(values)]));
  return { samples, figures };
}

/**
 * The ratio of `a` to `b` round by round (both were measured side by side in each round),
 * summarised: a ratio of medians would mix rounds that ran under different noise.
 */
export function roundRatios(result: RoundsResult, a: string, b: string): Spread {
  const left = result.samples.get(a) ?? [];
  const right = result.samples.get(b) ?? [];
  return spread(left.map((value, i) => value / right[i]!));
}
