import { describe, expect, it } from 'vitest';
import { rateLimitLogger } from './store-logger.js';

describe('rateLimitLogger', () => {
  function setUp() {
    let now = 0;
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const log = rateLimitLogger(
      (event, fields) => logged.push([event, fields]),
      1_000,
      () => now,
    );
    return { log, logged, advance: (ms: number) => (now += ms) };
  }

  it('passes the first entry and drops identical ones within the interval', () => {
    const { log, logged, advance } = setUp();
    log('store.redis_error', { message: 'connect ECONNREFUSED' });
    advance(500);
    log('store.redis_error', { message: 'connect ECONNREFUSED' });
    expect(logged).toEqual([['store.redis_error', { message: 'connect ECONNREFUSED' }]]);
  });

  it('lets the entry through again after the interval, with the number dropped', () => {
    const { log, logged, advance } = setUp();
    for (let i = 0; i < 4; i += 1) log('e', { message: 'm' });
    advance(1_000);
    log('e', { message: 'm' });
    expect(logged).toEqual([
      ['e', { message: 'm' }],
      ['e', { message: 'm', suppressed: 3 }],
    ]);
  });

  it('treats entries with different plain fields as different', () => {
    const { log, logged } = setUp();
    log('e', { message: 'm', connection: 'command' });
    log('e', { message: 'm', connection: 'subscriber' });
    log('e', { message: 'other', connection: 'command' });
    expect(logged).toHaveLength(3);
  });

  it('ignores attached objects when deciding what is a repeat', () => {
    const { log, logged } = setUp();
    log('e', { channel: 'c', err: new Error('one') });
    log('e', { channel: 'c', err: new Error('two') });
    expect(logged).toHaveLength(1);
  });
});
