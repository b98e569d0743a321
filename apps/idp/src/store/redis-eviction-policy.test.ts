import { describe, expect, it } from 'vitest';
import { isEvictingPolicy } from './redis-eviction-policy.js';

describe('isEvictingPolicy', () => {
  it.each([
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
  ])('%s evicts', (policy) => expect(isEvictingPolicy(policy)).toBe(true));

  it('noeviction does not', () => expect(isEvictingPolicy('noeviction')).toBe(false));
});
