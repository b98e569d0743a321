import type { Context } from 'koa';
import { readForm } from '../form-body.js';
import { InvalidRequestError } from '../oauth-errors.js';

/**
 * No legitimate authorization parameter comes near this (a state or nonce is tens of bytes,
 * a redirect URI rarely a few hundred); a bound per value keeps huge inputs out of the store.
 */
const MAX_PARAMETER_LENGTH = 2048;

/** RFC 8707 §2 lets `resource` repeat; every other parameter appears at most once. */
const REPEATABLE = new Set(['resource']);

/**
 * The parameters of an authorization request, from the query (GET) or a form body (POST,
 * OIDC Core §3.1.2.1). Empty values count as absent (RFC 6749 §3.1). Checks are lazy: a
 * repeated or over-long parameter is reported by whoever reads it, so a bad `client_id`
 * gives a page while a bad `nonce` goes back to the client.
 */
export class AuthorizeParams {
  constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  /** One value, or undefined; throws InvalidRequestError when repeated or too long. */
  single(name: string): string | undefined {
    const found = this.values.get(name);
    if (!found) return undefined;
    if (found.length > 1 && !REPEATABLE.has(name)) {
      throw new InvalidRequestError(`parameter ${name} is included more than once`);
    }
    const value = found[0]!;
    if (value.length > MAX_PARAMETER_LENGTH) {
      throw new InvalidRequestError(`parameter ${name} is too long`);
    }
    return value;
  }

  all(name: string): string[] {
    const found = this.values.get(name) ?? [];
    if (found.some((value) => value.length > MAX_PARAMETER_LENGTH)) {
      throw new InvalidRequestError(`parameter ${name} is too long`);
    }
    return [...found];
  }

  /** Checks every parameter at once, after the ones that decide where errors go. */
  checkAll(): void {
    for (const name of this.values.keys()) {
      if (REPEATABLE.has(name)) this.all(name);
      else this.single(name);
    }
  }
}

export async function readAuthorizeParams(ctx: Context): Promise<AuthorizeParams> {
  const entries =
    ctx.method === 'POST'
      ? await formEntries(ctx)
      : [...new URLSearchParams(ctx.querystring).entries()];
  const values = new Map<string, string[]>();
  for (const [name, value] of entries) {
    if (value === '') continue;
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return new AuthorizeParams(values);
}

async function formEntries(ctx: Context): Promise<Array<[string, string]>> {
  // Per-value limits are ours (above); readForm only bounds the body as a whole.
  const form = await readForm(ctx, { maxBytes: 32 * 1024, maxValueLength: 32 * 1024 });
  return form
    .names()
    .flatMap((name) => form.all(name).map((value): [string, string] => [name, value]));
}
