export type ProductArt = 'key' | 'lock' | 'token' | 'ring' | 'mug' | 'rock';

export interface Product {
  id: string;
  name: string;
  blurb: string;
  priceCents: number;
  /** Also picks the card's background colour (`.tint-<art>` in globals.css). */
  art: ProductArt;
}

/** Demo stock; the shop sells nothing, it only shows that it knows who you are. */
export const PRODUCTS: readonly Product[] = [
  {
    id: 'brass-key',
    name: 'Brass skeleton key',
    blurb: 'Opens one door. Hand-cut.',
    priceCents: 2400,
    art: 'key',
  },
  {
    id: 'pin-lock',
    name: 'Pin tumbler lock kit',
    blurb: 'Five pins, a clear case, no secrets.',
    priceCents: 4200,
    art: 'lock',
  },
  {
    id: 'hw-token',
    name: 'Hardware passkey',
    blurb: 'Phishing-resistant, fits a key ring.',
    priceCents: 3500,
    art: 'token',
  },
  {
    id: 'key-ring',
    name: 'Leather key ring',
    blurb: 'Holds every key but the signing one.',
    priceCents: 1800,
    art: 'ring',
  },
  {
    id: 'keyhole-mug',
    name: 'Keyhole mug',
    blurb: '350 ml. Rotates daily, like our keys.',
    priceCents: 1400,
    art: 'mug',
  },
  {
    id: 'hideaway-rock',
    name: 'Spare-key rock',
    blurb: 'Security through obscurity. Do not buy.',
    priceCents: 900,
    art: 'rock',
  },
];

export function formatPrice(cents: number): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}
