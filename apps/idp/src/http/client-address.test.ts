import { describe, expect, it } from 'vitest';
import { parseProxyEntry, type ProxyEntry } from '../config/proxy-entry.js';
import {
  addressBucket,
  clientAddress,
  normaliseAddress,
  trustedProxyMatcher,
} from './client-address.js';

const entries = (...texts: string[]): ProxyEntry[] =>
  texts.map((text) => {
    const entry = parseProxyEntry(text);
    if (!entry) throw new Error(`bad entry ${text}`);
    return entry;
  });

describe('normaliseAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:4711', '192.0.2.1'],
    ['[2001:DB8::1]:4711', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['  2001:db8::1 ', '2001:db8::1'],
  ])('%j → %j', (text, address) => expect(normaliseAddress(text)).toBe(address));

  it.each(['', 'unknown', '_hidden', 'example.com', '1.2.3', '999.1.1.1', '1.2.3.4.5', '::g'])(
    'refuses %j',
    (text) => expect(normaliseAddress(text)).toBeNull(),
  );
});

describe('clientAddress', () => {
  const loopback = trustedProxyMatcher(entries('127.0.0.1', '::1'));
  const twoTiers = trustedProxyMatcher(entries('10.0.0.0/8', '2001:db8:aa::/48'));
  const nobody = trustedProxyMatcher([]);

  it('is the socket peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', nobody)).toBe('127.0.0.1');
  });

  it('ignores a header sent by a peer that is not a trusted proxy (spoofing)', () => {
    expect(clientAddress('198.51.100.4', '203.0.113.9', twoTiers)).toBe('198.51.100.4');
    expect(clientAddress('198.51.100.4', '10.0.0.1', twoTiers)).toBe('198.51.100.4');
  });

  it('takes the address a trusted proxy appended', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', loopback)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.9', loopback)).toBe('203.0.113.9');
  });

  it('walks a chain of two trusted proxies to the first untrusted hop', () => {
    // client 203.0.113.9 → edge 10.1.1.1 → internal 10.2.2.2 → us
    expect(clientAddress('10.2.2.2', '203.0.113.9, 10.1.1.1', twoTiers)).toBe('203.0.113.9');
    expect(clientAddress('2001:db8:aa::2', '2001:db8:bb::9, 2001:db8:aa::1', twoTiers)).toBe(
      '2001:db8:bb::9',
    );
  });

  it('never goes left of the right-most untrusted hop, where the client writes', () => {
    // The client sent "X-Forwarded-For: 10.9.9.9, 192.0.2.66" itself; the proxy appended
    // its real address. Both client-written entries stay unread.
    expect(clientAddress('10.2.2.2', '10.9.9.9, 192.0.2.66, 203.0.113.9', twoTiers)).toBe(
      '203.0.113.9',
    );
  });

  it('stops at garbage, counting the request against the last trusted hop', () => {
    expect(clientAddress('10.2.2.2', 'unknown', twoTiers)).toBe('10.2.2.2');
    expect(clientAddress('10.2.2.2', '203.0.113.9, garbage, 10.1.1.1', twoTiers)).toBe('10.1.1.1');
    expect(clientAddress('10.2.2.2', ',,,', twoTiers)).toBe('10.2.2.2');
    expect(clientAddress('10.2.2.2', '\u0000<script>', twoTiers)).toBe('10.2.2.2');
    expect(clientAddress('10.2.2.2', '', twoTiers)).toBe('10.2.2.2');
  });

  it('reads forwarded addresses with ports and brackets', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9:5555', loopback)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', '[2001:db8::7]:5555', loopback)).toBe('2001:db8::7');
  });

  it('looks at a bounded number of hops, all trusted: the left-most of them', () => {
    const hops = Array.from({ length: 1000 }, (_, i) => `10.0.${i % 250}.${i % 200}`);
    expect(clientAddress('10.0.0.1', ['203.0.113.9', ...hops].join(','), twoTiers)).toMatch(
      /^10\./,
    );
  });

  it('is empty when the socket has no peer address any more', () => {
    expect(clientAddress(undefined, '203.0.113.9', loopback)).toBe('');
  });
});

describe('addressBucket', () => {
  it('keeps IPv4 addresses and groups IPv6 by /64', () => {
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressBucket('')).toBe('');
  });
});
