import type { Spread } from '../runner/stats.js';

/** A measured figure: the median of its rounds and their spread, in one unit. */
export interface Figure extends Spread {
  unit: string;
}

export interface PeerFigure {
  name: string;
  figure: Figure;
}

/**
 * One line of the results table: Latchkey's figure beside one peer's, measured in the same
 * rounds. A case with several peers has one row per peer.
 */
export interface Row {
  /** Case number and short title, e.g. "1 verify new ES256". */
  case: string;
  latchkey: Figure;
  peer?: PeerFigure;
  /** Latchkey over the peer, round by round (for a latency, the peer over Latchkey). */
  ratio?: Spread;
  target: string;
  /** null: no target, only reported. */
  met: boolean | null;
  note?: string;
}

export function figure(spread: Spread, unit: string): Figure {
  return { ...spread, unit };
}

/** A single value (one long measurement, not rounds) as a figure. */
export function single(value: number, unit: string, n = 1): Figure {
  return { median: value, min: value, max: value, n, unit };
}
