import { readWebBody } from '../lib/request-body.js';
import {
  createBackChannelLogoutHandler,
  type BackChannelLogoutOptions,
} from '../logout/back-channel-logout.js';
import type { Verifier } from '../verifier.js';
import type { LatchkeyNextLogger } from './options.js';

/**
 * An App Router route handler for OpenID Connect Back-Channel Logout (§2.5–2.8): POST with a
 * form-encoded `logout_token`; 200 once `onLogout` ended the session(s), 400 with RFC 6749
 * JSON otherwise; always `Cache-Control: no-store`.
 */
export function createBackChannelLogoutRoute(
  verifier: Pick<Verifier, 'verifyLogoutToken'>,
  options: BackChannelLogoutOptions,
  logger?: LatchkeyNextLogger,
): (request: Request) => Promise<Response> {
  const handle = createBackChannelLogoutHandler(verifier, options);
  return async (request) => {
    const response = await handle({
      method: request.method,
      contentType: request.headers.get('content-type'),
      contentLength: request.headers.get('content-length'),
      readBody: (limit) => readWebBody(request, limit),
    });
    if (response.failure !== undefined) {
      logger?.warn('back-channel logout failed', { message: messageOf(response.failure) });
    }
    return new Response(response.body === '' ? null : response.body, {
      status: response.status,
      headers: response.headers,
    });
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
