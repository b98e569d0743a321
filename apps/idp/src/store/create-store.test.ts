import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { StoreUnavailableError, type Store } from './store.js';
import { waitFor } from '@latchkey/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('createStore', () => {
  const opened: Store[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  };
  afterEach(closeAll);
  const open = (url: string, options?: Parameters<typeof createStore>[1]): Store => {
    const store = createStore(url, options);
    opened.push(store);
    return store;
  };

  it('gives a memory store for memory://', async () => {
    const store = open('memory://');
    await store.set('k', 'v');
    // A second memory store shares nothing with the first: proof it is in-process.
    expect(await open('memory://').get('k')).toBeNull();
    expect(await store.get('k')).toBe('v');
  });

  it('passes options through to the memory store', async () => {
    let now = 0;
    const store = open('memory://', { now: () => now });
    await store.set('k', 'v', { ttlMs: 10 });
    now = 10;
    expect(await store.get('k')).toBeNull();
  });

  it('gives a Redis store for redis://', async () => {
    const store = open(REDIS_URL);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('treats the scheme case-insensitively', async () => {
    const store = open(REDIS_URL.replace(/^redis:/, 'REDIS:'));
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('speaks TLS for rediss://', async () => {
    // A bare TCP listener shows what the client sends first: a TLS handshake record starts
    // with byte 0x16, where a plain Redis client would send a RESP command.
    const firstBytes: Buffer[] = [];
    const listener = createServer((socket) => {
      socket.once('data', (chunk: Buffer) => firstBytes.push(chunk));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      const store = open(`rediss://127.0.0.1:${port}`, { commandTimeoutMs: 200 });
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await waitFor('the client to send something', () => firstBytes.length > 0);
      expect(firstBytes[0]![0]).toBe(0x16);
    } finally {
      await closeAll();
      listener.close();
    }
  });

  it.each([
    ['https://user:hunter2@example.com/', 'https'],
    ['postgres://admin:hunter2@127.0.0.1:5432/db', 'postgres'],
    ['memcached://:hunter2@127.0.0.1', 'memcached'],
  ])('rejects %s with a TypeError naming only the scheme', (url, scheme) => {
    let thrown: unknown;
    try {
      createStore(url);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message).toContain(`"${scheme}:"`);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('example.com');
  });

  it('rejects a URL without a scheme, without echoing it', () => {
    expect(() => createStore('hunter2')).toThrow(TypeError);
    expect(() => createStore('hunter2')).not.toThrow(/hunter2/);
    expect(() => createStore('')).toThrow(/no scheme/);
  });
});
