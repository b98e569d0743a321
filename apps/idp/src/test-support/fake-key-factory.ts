import type { KeyFactory } from '../keys/key-generation.js';

/** Deterministic, instant key records for lifecycle tests (no real key material). */
export function fakeKeyFactory(): KeyFactory & { made: number } {
  let made = 0;
  const factory = ((alg, now) => {
    made++;
    factory.made = made;
    const kid = `${alg}-${made}`;
    return Promise.resolve({
      kid,
      alg,
      createdAt: now,
      activatedAt: null,
      retiredAt: null,
      revokedAt: null,
      publicJwk: { kty: 'EC', kid, alg, use: 'sig' },
      privateKey: { v: 1, iv: '', tag: '', data: '' },
    });
  }) as KeyFactory & { made: number };
  factory.made = 0;
  return factory;
}
