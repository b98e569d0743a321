import { describe, expect, it } from 'vitest';
import { clusterSlot } from './cluster-slot.js';

describe('clusterSlot', () => {
  it('is CRC16/XMODEM modulo 16384 (the check value of "123456789" is 0x31C3)', () => {
    expect(clusterSlot('123456789')).toBe(0x31c3);
  });

  it('hashes only a non-empty hash tag, as the cluster specification says', () => {
    expect(clusterSlot('{user1000}.following')).toBe(clusterSlot('user1000'));
    expect(clusterSlot('foo{}{bar}')).not.toBe(clusterSlot('bar'));
    expect(clusterSlot('foo{{bar}}zap')).toBe(clusterSlot('{bar'));
    expect(clusterSlot('foo{bar}{zap}')).toBe(clusterSlot('bar'));
  });

  it('agrees with CLUSTER KEYSLOT on names Redis itself hashed', () => {
    // Answers of `CLUSTER KEYSLOT` from a redis-server 7.0 in cluster mode.
    expect(clusterSlot('latchkey:revoked:notices')).toBe(1888);
    expect(clusterSlot('somekey')).toBe(11058);
    expect(clusterSlot('')).toBe(0);
    expect(clusterSlot('{user1000}.following')).toBe(3443);
    expect(clusterSlot('foo{}{bar}')).toBe(8363);
    expect(clusterSlot('é')).toBe(10180);
  });
});
