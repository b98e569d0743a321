import type { ClientRegistry } from '../clients/client.js';
import type { OutboxEntry } from '../delivery/delivery-outbox.js';
import { BACKCHANNEL_LOGOUT_KIND, type LogoutPayload } from './logout-kind.js';
import type { Participation } from './participation-queries.js';

/**
 * The logout tokens an ending owes (pure): one per participating client that registered a
 * `backchannel_logout_uri`.
 *
 * - One session ended: one token per client, with `sid` and `sub`.
 * - Every session of a user ended (`wholeUser`): one token per client with `sub` and no `sid`
 *   (§2.4: "all sessions of the user at the RP"). A client with
 *   `backchannel_logout_session_required` cannot act on a token without `sid` (§2.2), so it
 *   gets one per session instead, each with `sid` and `sub`.
 */
export function logoutEntries(
  ended: readonly Participation[],
  clients: ClientRegistry,
  wholeUser: boolean,
): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  const seen = new Set<string>();
  for (const { sid, clientId, sub } of ended) {
    const client = clients.find(clientId);
    const target = client?.backchannelLogoutUri;
    if (!client || target === undefined) continue;
    const perSession = !wholeUser || client.backchannelLogoutSessionRequired === true;
    const payload: LogoutPayload = perSession ? { clientId, sub, sid } : { clientId, sub };
    const key = perSession ? `${clientId} ${sid}` : clientId;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({ kind: BACKCHANNEL_LOGOUT_KIND, target, payload });
  }
  return entries;
}
