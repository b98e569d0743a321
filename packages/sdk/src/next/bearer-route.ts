import type { AccessTokenClaims } from '@latchkey/protocol';
import { createBearerAuthenticator, type BearerOptions } from '../bearer.js';
import type { Verifier } from '../verifier.js';

export type BearerRouteHandler<Context> = (
  request: Request,
  claims: AccessTokenClaims,
  context: Context,
) => Response | Promise<Response>;

/**
 * Wraps an App Router route handler so it runs only for a valid `Authorization: Bearer` access
 * token, or a DPoP-bound one with `Authorization: DPoP` and its proof (RFC 9449 §7.1, `htu`
 * checked against `request.url`), answering like `@latchkey/sdk/koa` otherwise (RFC 6750
 * 401/403, RFC 9449 `WWW-Authenticate: DPoP` errors, 503 when the key set or the revocation
 * state is unavailable).
 */
export function createWithBearer(verifier: Pick<Verifier, 'verifyAccessToken'>) {
  return <Context = unknown>(
    handler: BearerRouteHandler<Context>,
    options: BearerOptions = {},
  ): ((request: Request, context: Context) => Promise<Response>) => {
    const authenticate = createBearerAuthenticator(verifier, options);
    return async (request, context) => {
      const decision = await authenticate(request.headers.get('authorization'), {
        proof: request.headers.get('dpop'),
        method: request.method,
        url: request.url,
      });
      if (!decision.ok) {
        const { status, body, headers } = decision.denial;
        return Response.json(body, { status, headers });
      }
      return handler(request, decision.claims, context);
    };
  };
}
