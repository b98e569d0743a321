import type { ProductArt as Art } from '../lib/products';
import type { ReactNode } from 'react';

const INK = '#7c2d12';

/** Small inline drawings, so the shop needs no image files and no network. */
export function ProductArt({ art }: { art: Art }) {
  return (
    <svg viewBox="0 0 120 80" className="product-art" aria-hidden="true">
      {drawings[art]}
    </svg>
  );
}

const stroke = { stroke: INK, strokeWidth: 4, fill: 'none', strokeLinecap: 'round' } as const;

const drawings: Record<Art, ReactNode> = {
  key: (
    <g {...stroke}>
      <circle cx="34" cy="40" r="14" />
      <circle cx="34" cy="40" r="5" />
      <path d="M48 40h46M82 40v10M92 40v8" />
    </g>
  ),
  lock: (
    <g {...stroke}>
      <rect x="38" y="36" width="44" height="32" rx="6" fill="#fff7ed" />
      <path d="M47 36V26a13 13 0 0 1 26 0v10" />
      <path d="M60 48v8" />
    </g>
  ),
  token: (
    <g {...stroke}>
      <rect x="30" y="28" width="60" height="26" rx="13" fill="#fff7ed" />
      <circle cx="76" cy="41" r="6" fill={INK} />
      <path d="M30 41H18" />
    </g>
  ),
  ring: (
    <g {...stroke}>
      <circle cx="46" cy="40" r="18" />
      <path d="M62 46l22 10M84 56l8-6" />
    </g>
  ),
  mug: (
    <g {...stroke}>
      <path d="M38 22h38v36a8 8 0 0 1-8 8H46a8 8 0 0 1-8-8z" fill="#fff7ed" />
      <path d="M76 30h6a8 8 0 0 1 0 16h-6" />
      <circle cx="57" cy="40" r="4" fill={INK} />
      <path d="M57 44v8" />
    </g>
  ),
  rock: (
    <g {...stroke}>
      <path d="M24 62c2-16 14-28 32-30 20-2 36 10 40 30z" fill="#f8f9fa" />
      <path d="M48 48l6-4 8 3" />
    </g>
  ),
};
