import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALLOW_ANY_ORIGIN, securityHeaderList } from '../http/koa-security-headers.js';
import type { JwksDocument } from '../keys/jwks-document.js';
import type { KeyManager } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import {
  ifNoneMatch,
  JWKS_CONTENT_TYPE,
  JWKS_PATH,
  jwksCacheControl,
} from '../oauth/jwks/jwks-route.js';
import type { EveryRequestStep } from './every-request.js';

/** Answers a request completely, or returns false to leave it to Koa. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Prepared {
  document: JwksDocument;
  /** Flat [name, value, ...] lists, the cheapest form `writeHead` takes. */
  ok: string[];
  notModified: string[];
}

/**
 * How this path gives each step every request takes through Koa (every-request.ts), since it
 * answers before Koa. A step added there fails the type check here until it is reproduced.
 */
export const JWKS_FAST_PATH_STEPS = {
  'error-handler': 'a failure (no key set loaded) goes on to Koa, whose error handler answers',
  'access-log': 'the same debug line, written below',
  'security-headers': 'securityHeaderList, prepared with the other headers',
} as const satisfies Record<EveryRequestStep, string>;

/**
 * GET /jwks before Koa: every verifier polls it, and the answer only changes with the key
 * set, so the bytes and every header are prepared once per key-set change and a request
 * costs a lookup and one write. Through Koa the same answer took the error handler, access
 * log, security headers, router and CORS middleware: about 0.6x a bare Koa handler.
 *
 * The headers are exactly those of the Koa route behind the same middleware; anything else
 * (no key set loaded, another method, another path) goes on to Koa.
 */
export function jwksFastPath(
  keys: KeyManager,
  options: { maxAgeSec: number; https: boolean; logger: Logger },
): FastPath {
  const common = [
    ...securityHeaderList({ https: options.https }),
    ALLOW_ANY_ORIGIN,
    ['Cache-Control', jwksCacheControl(options.maxAgeSec)],
  ].flat();
  let prepared: Prepared | null = null;

  const prepare = (document: JwksDocument): Prepared => {
    if (prepared?.document === document) return prepared;
    prepared = {
      document,
      ok: [
        ...common,
        'ETag',
        document.etag,
        'Content-Type',
        JWKS_CONTENT_TYPE,
        'Content-Length',
        String(document.body.length),
      ],
      notModified: [...common, 'ETag', document.etag],
    };
    return prepared;
  };

  const logRequests = options.logger.isEnabled('debug');
  return (req, res) => {
    const { url, method } = req;
    if (url !== JWKS_PATH && !url?.startsWith(`${JWKS_PATH}?`)) return false;
    if (method !== 'GET' && method !== 'HEAD') return false;
    let document: JwksDocument;
    try {
      document = keys.jwks();
    } catch {
      // No usable key set: Koa's error handler gives the 503 and logs it.
      return false;
    }
    const started = logRequests ? process.hrtime.bigint() : 0n;
    const { ok, notModified } = prepare(document);
    if (ifNoneMatch(req.headers['if-none-match'], document.etag)) {
      res.writeHead(304, notModified).end();
    } else {
      // For HEAD, Node sends the headers and drops the body.
      res.writeHead(200, ok).end(document.body);
    }
    if (logRequests) {
      options.logger.debug('request', {
        method,
        path: JWKS_PATH,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
    return true;
  };
}
