import { isAscii } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { SERVER_LIMITS } from '../http/http-server.js';
import { parseFormUrlencoded } from './form-urlencoded.js';
import { InvalidRequestError } from './oauth-errors.js';

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

const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Stateless between calls (no `stream` option), so one serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export async function readForm(ctx: Context, limits: FormLimits = {}): Promise<FormParams> {
  const maxBytes = limits.maxBytes ?? 16 * 1024;
  const maxValueLength = limits.maxValueLength ?? 4096;
  const { req } = ctx;
  if (!isForm(req)) {
    throw new InvalidRequestError('the body must be application/x-www-form-urlencoded');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new InvalidRequestError('request body too large', 413);

  let text: string;
  const body = await readBody(req, maxBytes);
  try {
    // ASCII (what clients send: non-ASCII arrives percent-encoded) is its own UTF-8.
    text = isAscii(body) ? body.toString('latin1') : UTF8.decode(body);
  } catch {
    throw new InvalidRequestError('the body is not valid UTF-8');
  }

  const values = new Map<string, string[]>();
  for (const [name, value] of parseFormUrlencoded(text)) {
    if (value === '') continue;
    if (value.length > maxValueLength)
      throw new InvalidRequestError(`parameter ${name} is too long`);
    const known = values.get(name);
    if (known) known.push(value);
    else values.set(name, [value]);
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

/**
 * What `ctx.is(FORM_TYPE)` answers (a body is announced and its media type, parameters and
 * case aside, is the form type) without type-is's parsing and normalising on every request.
 */
function isForm(req: IncomingMessage): boolean {
  const { headers } = req;
  if (headers['transfer-encoding'] === undefined && headers['content-length'] === undefined) {
    return false;
  }
  const type = headers['content-type'];
  if (type === undefined) return false;
  const semicolon = type.indexOf(';');
  return (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase() === FORM_TYPE;
}

/**
 * The body, at most `maxBytes`. Listeners rather than an async iterator: the iterator's
 * promise per chunk and end-of-stream bookkeeping cost more than the parsing.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // Already read to its end (nothing left to wait for): an empty body, as the iterator gave.
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Only a failure takes the reader off: after 'end' the stream emits nothing but 'close',
    // which finds the body read, and taking four listeners off each request cost more than
    // parsing its form.
    let ended = false;
    const fail = (error: Error): void => {
      req.off('data', onData);
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(new InvalidRequestError('request body too large', 413));
        discardRest(req);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onClose = (): void => {
      if (!ended) fail(new Error('the request closed before its body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', fail);
    req.on('close', onClose);
  });
}

/**
 * Past the limit the rest is read and dropped, so that the 413 reaches a client that is still
 * sending (closing now would make the kernel answer with a reset); an endless body is cut
 * off after SERVER_LIMITS.lingerBytes, and a slow one by the server's request timeout.
 */
function discardRest(req: IncomingMessage): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > SERVER_LIMITS.lingerBytes) req.destroy();
  });
}
