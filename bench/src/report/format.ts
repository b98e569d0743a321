import type { Spread } from '../runner/stats.js';
import type { Figure } from './row.js';

/** 8712 → "8.71k", 3120000 → "3.12M": rates stay readable in a narrow column. */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(2)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** "8.71k/s (8.52k–8.80k)": the median and, when there were several rounds, min–max. */
export function formatFigure(figure: Figure): string {
  const main = `${compact(figure.median)}${figure.unit}`;
  if (figure.n <= 1 || figure.min === figure.max) return main;
  return `${main} (${compact(figure.min)}–${compact(figure.max)})`;
}

export function formatRatio(spread: Spread): string {
  const main = `${ratioText(spread.median)}×`;
  if (spread.n <= 1) return main;
  return `${main} (${ratioText(spread.min)}–${ratioText(spread.max)})`;
}

function ratioText(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
