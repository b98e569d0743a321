import { describe, expect, it } from 'vitest';
import { parseProxyEntry } from './proxy-entry.js';

describe('parseProxyEntry', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.0.2.7', { address: '192.0.2.7', prefix: 32, family: 'ipv4' }],
    [' fd00::/8 ', { address: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
  ])('reads %j', (text, entry) => expect(parseProxyEntry(text)).toEqual(entry));

  it.each([
    '',
    'localhost',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/8/8',
    '10.0.0/8',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '1.2.3.4:80',
  ])('refuses %j', (text) => expect(parseProxyEntry(text)).toBeNull());
});
