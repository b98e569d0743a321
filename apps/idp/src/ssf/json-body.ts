import type { Context } from 'koa';
import { StreamRequestError } from './ssf-errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON body of a stream API or poll request (SSF §8.1, RFC 8936 §2.4), bounded: these
 * bodies are a few hundred bytes. Malformed JSON, another media type or too large a body is a
 * 400 (413 for the size), never a 500.
 */
export async function readJson(ctx: Context, maxBytes = 64 * 1024): Promise<unknown> {
  const type = ctx.get('Content-Type').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new StreamRequestError('the body must be application/json');
  }
  if (Number(ctx.get('Content-Length') || 0) > maxBytes) {
    throw new StreamRequestError('request body too large', 413);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new StreamRequestError('request body too large', 413);
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new StreamRequestError('the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StreamRequestError('the body is not valid JSON');
  }
}
