import { describe, expect, it } from 'vitest';
import { frameCategory, profileCategories } from './profile-categories.js';
import type { CpuProfile } from './profile-shares.js';

const node = (id: number, url: string, functionName: string, children: number[] = []) => ({
  id,
  callFrame: { url, functionName },
  children,
});

describe('profileCategories', () => {
  // root → koa middleware → IdP token route → { sign (native, under crypto/sig), JSON.stringify,
  // ioredis → JSON.parse }, plus idle and GC.
  const profile: CpuProfile = {
    nodes: [
      node(1, '', '(root)', [2, 9, 10]),
      node(
        2,
        'file:///x/node_modules/.pnpm/koa@3/node_modules/koa/lib/application.js',
        'handle',
        [3],
      ),
      node(3, 'file:///x/apps/idp/dist/oauth/token/token-route.js', 'token', [4, 6, 7, 11]),
      node(4, 'node:internal/crypto/sig', 'signOneShot', [5]),
      node(5, '', '(program)'),
      node(6, '', 'stringify'),
      node(
        7,
        'file:///x/node_modules/.pnpm/ioredis@6/node_modules/ioredis/built/Redis.js',
        'x',
        [8],
      ),
      node(8, '', 'parse'),
      node(9, '', '(idle)'),
      node(10, '', '(garbage collector)'),
      node(11, 'file:///x/apps/idp/dist/oauth/token/grant.js', 'check'),
    ],
    // busy: 4 signing (5), 2 JSON (6), 2 JSON inside ioredis (8), 1 GC, 1 IdP code (11); 3 idle.
    samples: [5, 5, 5, 5, 6, 6, 8, 8, 10, 11, 9, 9, 9],
  };

  it('gives each busy sample to the innermost frame that names a category', () => {
    const shares = profileCategories(profile);
    expect(shares.signing).toBeCloseTo(0.4);
    expect(shares.JSON).toBeCloseTo(0.4);
    expect(shares['garbage collection']).toBeCloseTo(0.1);
    expect(shares['IdP code']).toBeCloseTo(0.1);
    expect(shares['Koa and routing']).toBe(0);
  });

  it('names socket, Redis, PostgreSQL and hashing frames, and nothing for plain app code', () => {
    expect(frameCategory({ url: 'node:_http_server', functionName: 'x' })).toBe(
      'socket and HTTP parsing',
    );
    expect(frameCategory({ url: 'file:///n/pg-protocol/dist/parser.js', functionName: 'p' })).toBe(
      'PostgreSQL client',
    );
    expect(frameCategory({ url: 'node:internal/crypto/hash', functionName: 'digest' })).toBe(
      'hashing',
    );
    expect(frameCategory({ url: '', functionName: 'wasm-function[2296]' })).toBe(
      'PostgreSQL (embedded PGlite)',
    );
    expect(frameCategory({ url: 'file:///x/apps/idp/dist/app.js', functionName: 'a' })).toBeNull();
  });

  it('answers 0 everywhere for an empty profile', () => {
    expect(Object.values(profileCategories({ nodes: [], samples: [] }))).toEqual(
      Array.from({ length: 11 }, () => 0),
    );
  });
});
