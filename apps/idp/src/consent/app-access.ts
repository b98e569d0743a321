import type { AppAccessRow } from '../account/apps-view.js';
import type { AuditActor, RequestFacts } from '../audit/audit-event.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { ClientRegistry } from '../clients/client.js';
import type { ConsentGrants } from './consent-grants.js';
import type { Store } from '../store/store.js';
import { revokeUserClientFamilies } from '../tokens/refresh-token.js';

export interface AppAccessDeps {
  consents: ConsentGrants;
  clients: ClientRegistry;
  store: Store;
  audit: AuditTrail;
}

/**
 * The third-party apps the user allowed, by name. A grant whose client is gone or has since
 * become first-party is not listed: it asks nothing of anyone any more.
 */
export async function appsWithAccess(deps: AppAccessDeps, userId: string): Promise<AppAccessRow[]> {
  const grants = await deps.consents.listForUser(userId);
  return grants.flatMap((grant) => {
    const client = deps.clients.find(grant.clientId);
    if (client?.firstParty !== false) return [];
    return [
      {
        clientId: client.id,
        name: client.name,
        scopes: grant.scopes,
        grantedAt: grant.grantedAt.getTime(),
      },
    ];
  });
}

/**
 * Remembers that the user allowed the client `scope` (added to what they allowed before), and
 * records it: from the consent page, or from the device confirmation (which is one too).
 */
export async function recordConsent(
  deps: Pick<AppAccessDeps, 'consents' | 'audit'>,
  about: {
    userId: string;
    clientId: string;
    scope: readonly string[];
    via: 'consent_page' | 'device';
    sid?: string;
    request?: RequestFacts;
  },
): Promise<void> {
  const grant = await deps.consents.grant(about.userId, about.clientId, about.scope);
  await deps.audit.record({
    type: 'consent.granted',
    actor: { kind: 'user', id: about.userId },
    subject: about.userId,
    client: about.clientId,
    ...(about.sid !== undefined && { session: about.sid }),
    ...(about.request !== undefined && { request: about.request }),
    detail: { scope: about.scope.join(' '), granted: grant.scopes.join(' '), via: about.via },
  });
}

/**
 * "Remove access": the grant goes (the next login to the app asks again) and so do the app's
 * refresh tokens for this user, so it cannot carry on without asking. The grant goes first: a
 * failure between the two leaves tokens to end on a second try, never a grant without them.
 */
export async function removeAppAccess(
  deps: AppAccessDeps,
  about: {
    userId: string;
    clientId: string;
    /** Who removed it: the user (default) from the account page, or an operator. */
    actor?: AuditActor;
    sid?: string;
    request?: RequestFacts;
  },
): Promise<boolean> {
  const removed = await deps.consents.revoke(about.userId, about.clientId);
  const families = await revokeUserClientFamilies(deps.store, about.userId, about.clientId);
  if (!removed && families === 0) return false;
  await deps.audit.record({
    type: 'consent.revoked',
    actor: about.actor ?? { kind: 'user', id: about.userId },
    subject: about.userId,
    client: about.clientId,
    ...(about.sid !== undefined && { session: about.sid }),
    ...(about.request !== undefined && { request: about.request }),
    detail: { refresh_families_ended: families },
  });
  return true;
}

/** What the admin API reaches the consents through (admin/consents/). */
export interface ConsentAdmin {
  list(userId: string): Promise<readonly AppAccessRow[]>;
  /** False when the user had no grant (nor refresh tokens) for the client. */
  remove(
    userId: string,
    clientId: string,
    by: { actor: AuditActor; request?: RequestFacts },
  ): Promise<boolean>;
}

export function consentAdmin(deps: AppAccessDeps): ConsentAdmin {
  return {
    list: (userId) => appsWithAccess(deps, userId),
    remove: (userId, clientId, by) =>
      removeAppAccess(deps, {
        userId,
        clientId,
        actor: by.actor,
        ...(by.request !== undefined && { request: by.request }),
      }),
  };
}
