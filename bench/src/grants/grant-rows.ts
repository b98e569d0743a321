import { figure, type Row } from '../report/row.js';
import type { HttpRoundsResult } from '../runner/http-rounds.js';
import type { LoadResult } from '../runner/load-protocol.js';
import { roundRatios } from '../runner/rounds.js';
import type { Spread } from '../runner/stats.js';

/** A rate row's target on the round-by-round ratio: `text` as printed, `met` on the median. */
export interface RatioTarget {
  text: string;
  met(ratio: number): boolean;
}

export const atLeast = (times: number): RatioTarget => ({
  text: `≥ ${times}×`,
  met: (ratio) => ratio >= times,
});
export const above = (times: number): RatioTarget => ({
  text: `> ${times}×`,
  met: (ratio) => ratio > times,
});

/** `a`'s rate over `b`'s, measured in the same rounds. */
export function ratioRow(
  label: string,
  result: HttpRoundsResult,
  a: string,
  b: { name: string; label: string },
  target: RatioTarget | null,
  note?: string,
): Row & { ratio: Spread } {
  const ratio = roundRatios(result.rps, a, b.name);
  return {
    case: label,
    latchkey: figure(result.rps.figures.get(a)!, '/s'),
    peer: { name: b.label, figure: figure(result.rps.figures.get(b.name)!, '/s') },
    ratio,
    target: target?.text ?? '–',
    met: target ? target.met(ratio.median) : null,
    ...(note && { note }),
  };
}

/**
 * `a`'s p99 beside `b`'s. Target: under `maxMs` when given, else below `b`'s (both medians of
 * the rounds' p99).
 */
export function p99Row(
  label: string,
  result: HttpRoundsResult,
  a: string,
  b: { name: string; label: string },
  target: { maxMs: number } | 'below-peer' | null,
): Row {
  const mine = result.p99Ms.get(a)!;
  const theirs = result.p99Ms.get(b.name)!;
  return {
    case: `${label} p99`,
    latchkey: figure(mine, ' ms'),
    peer: { name: b.label, figure: figure(theirs, ' ms') },
    target: target === null ? '–' : target === 'below-peer' ? '< peer' : `< ${target.maxMs} ms`,
    met:
      target === null
        ? null
        : target === 'below-peer'
          ? mine.median < theirs.median
          : mine.median < target.maxMs,
  };
}

/** Answers and measured time of every run, so that a rate can be checked against its count. */
export function runsNote(runs: Map<string, LoadResult[]>): string {
  const parts = [...runs].map(
    ([name, results]) =>
      `${name} ${results.map((r) => `${r.ok} in ${r.durationSec.toFixed(2)} s`).join(', ')}`,
  );
  return `answers per run, timed from the first request to the last answer: ${parts.join('; ')}`;
}
