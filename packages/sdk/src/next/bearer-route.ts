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
 * token, answering like `@latchkey/sdk/koa` otherwise (RFC 6750 401/403, 503 when the key set
 * or the revocation state is unavailable).
 */
export function createWithBearer(verifier: Pick<Verifier, 'verifyAccessToken'>) {
  return <Context = unknown>(
    handler: BearerRouteHandler<Context>,
    options: BearerOptions = {},
  ): ((request: Request, context: Context) => Promise<Response>) => {
    const authenticate = createBearerAuthenticator(verifier, options);
    return async (request, context) => {
      const decision = await authenticate(request.headers.get('authorization'));
      if (!decision.ok) {
        const { status, body, headers } = decision.denial;
        return Response.json(body, { status, headers });
      }
      return handler(request, decision.claims, context);
    };
  };
}
