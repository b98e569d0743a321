import type { ClientRegistry } from '../clients/client.js';
import { DeliveryAbandonedError, type DeliveryKind } from '../delivery/delivery-kind.js';
import type { KeyManager } from '../keys/key-manager.js';
import { signLogoutToken } from './logout-token.js';

export const BACKCHANNEL_LOGOUT_KIND = 'backchannel-logout';

/** What a back-channel outbox row holds: who to tell, about what. No token: minted per try. */
export interface LogoutPayload {
  clientId: string;
  sub?: string;
  sid?: string;
}

/**
 * Renders a logout request (OIDC Back-Channel Logout 1.0 §2.5): a form POST of
 * `logout_token`, the token minted at this attempt so its two-minute `exp` holds whenever the
 * receiver comes back. A client no longer registered, or registered with another URI since,
 * is not told: the token would go where nobody asked for it now.
 */
export function backChannelLogoutKind(deps: {
  issuer: string;
  clients: ClientRegistry;
  keys: Pick<KeyManager, 'signingKey'>;
}): DeliveryKind {
  return {
    name: BACKCHANNEL_LOGOUT_KIND,
    render(payload, attempt) {
      const { clientId, sub, sid } = readPayload(payload);
      const client = deps.clients.find(clientId);
      if (!client) throw new DeliveryAbandonedError(`client ${clientId} is no longer registered`);
      if (client.backchannelLogoutUri !== attempt.target) {
        throw new DeliveryAbandonedError(`client ${clientId} no longer registers this URI`);
      }
      const key = deps.keys.signingKey(client.idTokenSignedResponseAlg);
      const token = signLogoutToken(key, {
        issuer: deps.issuer,
        clientId,
        sub,
        sid,
        now: attempt.now,
      });
      return Promise.resolve({
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({ logout_token: token }).toString(),
        // §2.8: the answer must not be cached; neither must our request be.
        headers: { 'cache-control': 'no-store' },
      });
    },
  };
}

function readPayload(payload: unknown): LogoutPayload {
  const value = (payload ?? {}) as Record<string, unknown>;
  const text = (name: string): string | undefined =>
    typeof value[name] === 'string' ? value[name] : undefined;
  const clientId = text('clientId');
  const sub = text('sub');
  const sid = text('sid');
  if (clientId === undefined || (sub === undefined && sid === undefined)) {
    throw new DeliveryAbandonedError('malformed back-channel logout row');
  }
  return { clientId, ...(sub !== undefined && { sub }), ...(sid !== undefined && { sid }) };
}
