import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { badRequest } from './admin-problem.js';

/**
 * Page cursors: opaque to callers, and MAC'd so that one cannot be forged or edited (a cursor
 * carries a sort key that goes into a query; an unchecked one would let a caller probe with any
 * value). Each is bound to its listing and filter (`scope`): a cursor of one search is refused
 * by another. The key is derived from the key-encryption key, like the session cookie's.
 */
export interface Cursors {
  seal(scope: string, position: string): string;
  /** The position sealed for `scope`; a 400 problem for anything else. */
  open(scope: string, cursor: string): string;
}

export function createCursors(keyEncryptionKey: Uint8Array): Cursors {
  const key = Buffer.from(
    hkdfSync('sha256', keyEncryptionKey, new Uint8Array(0), 'latchkey admin cursor', 32),
  );
  const mac = (scope: string, position: string) =>
    createHmac('sha256', key).update(scope).update('\0').update(position).digest();
  return {
    seal(scope, position) {
      const body = Buffer.from(position, 'utf8').toString('base64url');
      return `${body}.${mac(scope, position).toString('base64url')}`;
    },
    open(scope, cursor) {
      const refused = badRequest('cursor is not one this listing gave', [
        { pointer: 'cursor', detail: 'not a cursor of this listing' },
      ]);
      const match = /^([A-Za-z0-9_-]{0,2048})\.([A-Za-z0-9_-]{43})$/.exec(cursor);
      if (!match) throw refused;
      const position = Buffer.from(match[1]!, 'base64url').toString('utf8');
      const presented = Buffer.from(match[2]!, 'base64url');
      const expected = mac(scope, position);
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        throw refused;
      }
      return position;
    },
  };
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** `?limit=` (1..MAX_LIMIT, default DEFAULT_LIMIT) and `?cursor=`, checked. */
export function pageParams(ctx: Context): { limit: number; cursor: string | undefined } {
  const limit = singleQuery(ctx, 'limit');
  const cursor = singleQuery(ctx, 'cursor');
  let parsed = DEFAULT_LIMIT;
  if (limit !== undefined) {
    if (!/^[0-9]{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}`, [
        { pointer: 'limit', detail: `an integer from 1 to ${MAX_LIMIT}` },
      ]);
    }
    parsed = Number(limit);
  }
  return { limit: parsed, cursor: cursor === '' ? undefined : cursor };
}

/** A query parameter given at most once; a repeated one is a 400 (which one would count?). */
export function singleQuery(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  if (Array.isArray(value)) {
    throw badRequest(`${name} is repeated`, [{ pointer: name, detail: 'give it once' }]);
  }
  return value;
}
