import type { Context } from 'koa';
import { InvalidRequestError } from '../oauth/oauth-errors.js';

/** Parameters of an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, §B). */
export interface FormParams {
  /** The value, or undefined when absent or empty (§3.1: empty means omitted). */
  single(name: string): string | undefined;
  /** Every value of a parameter the spec lets repeat (RFC 8707 `resource`). */
  all(name: string): string[];
  /** The names of the parameters present, in order of first appearance. */
  names(): string[];
}

export interface FormLimits {
  /** Default 16 KiB: the largest legitimate token request is a few hundred bytes. */
  maxBytes?: number;
  /** Default 4 KiB per value. */
  maxValueLength?: number;
}

export async function readForm(ctx: Context, limits: FormLimits = {}): Promise<FormParams> {
  const maxBytes = limits.maxBytes ?? 16 * 1024;
  const maxValueLength = limits.maxValueLength ?? 4096;
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new InvalidRequestError('the body must be application/x-www-form-urlencoded');
  }
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > maxBytes) throw new InvalidRequestError('request body too large', 413);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new InvalidRequestError('request body too large', 413);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new InvalidRequestError('the body is not valid UTF-8');
  }

  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (value === '') continue;
    if (value.length > maxValueLength)
      throw new InvalidRequestError(`parameter ${name} is too long`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return {
    single(name) {
      const found = values.get(name);
      // RFC 6749 §3.1/§3.2: request parameters must not be included more than once.
      if (found && found.length > 1) {
        throw new InvalidRequestError(`parameter ${name} is included more than once`);
      }
      return found?.[0];
    },
    all: (name) => values.get(name) ?? [],
    names: () => [...values.keys()],
  };
}
