import { describe, expect, it } from 'vitest';
import { createSubscriberPlacement, NOTICES_SLOT, slotMaster } from './cluster-subscriber.js';

const seeds = [
  { host: '127.0.0.1', port: 7000 },
  { host: '127.0.0.1', port: 7001 },
  { host: '127.0.0.1', port: 7002 },
];

describe('subscriber placement on a cluster', () => {
  it('tries each seed in turn while no master is known', () => {
    const placement = createSubscriberPlacement(seeds);
    expect(placement.target).toBe('127.0.0.1:7000');
    expect([1, 2, 3, 4].map(() => placement.nextTarget().port)).toEqual([7001, 7002, 7000, 7001]);
  });

  it('keeps to the master it was moved to, and says whether that was a move', () => {
    const placement = createSubscriberPlacement(seeds);
    expect(placement.moveTo('127.0.0.1:7000')).toBe(false);
    expect(placement.nextTarget()).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(placement.moveTo('::1:7005')).toBe(true);
    expect(placement.target).toBe('::1:7005');
    expect([1, 2].map(() => placement.nextTarget())).toEqual([
      { host: '::1', port: 7005 },
      { host: '::1', port: 7005 },
    ]);
  });
});

describe('slotMaster', () => {
  const reply = [
    [0, 5460, ['127.0.0.1', 7000, 'id-a'], ['127.0.0.1', 7003, 'id-d']],
    [5461, 10922, ['127.0.0.1', 7001, 'id-b']],
    [10923, 16383, ['', 7002, 'id-c']],
  ];

  it('finds the master of the range holding the slot', () => {
    expect(slotMaster(reply, 0)).toBe('127.0.0.1:7000');
    expect(slotMaster(reply, 5461)).toBe('127.0.0.1:7001');
    expect(slotMaster(reply, NOTICES_SLOT)).toBe('127.0.0.1:7000');
  });

  it('answers undefined for an uncovered slot, an unknown address, or a malformed reply', () => {
    expect(slotMaster(reply.slice(0, 2), 12000)).toBeUndefined();
    expect(slotMaster(reply, 12000)).toBeUndefined();
    expect(slotMaster('ERR', 0)).toBeUndefined();
    expect(slotMaster([[0, 'x', []]], 0)).toBeUndefined();
    expect(slotMaster([[0, 16383, 'not a node']], 0)).toBeUndefined();
  });
});
