import 'server-only';
import { cache } from 'react';
import { adminApi, AdminApiError, query, type Page } from './admin-api';
import type { AdminKey, AdminSession, AdminUser, AuditActor, AuditEvent } from './admin-types';

export interface AuditFilter {
  type?: string | undefined;
  actor?: string | undefined;
  subject?: string | undefined;
  client?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Audit events, newest first, following the API's cursor for at most `pages` pages. */
export async function auditEvents(
  token: string,
  filter: AuditFilter,
  { limit = 200, pages = 1 }: { limit?: number; pages?: number } = {},
): Promise<{ items: AuditEvent[]; more: boolean }> {
  const items: AuditEvent[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < pages; page += 1) {
    const answer: Page<AuditEvent> = await adminApi<Page<AuditEvent>>(
      token,
      'GET',
      `/audit-events${query({ ...filter, limit, cursor })}`,
    );
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (cursor === null) break;
  }
  return { items, more: cursor !== null };
}

export async function listUsers(token: string, search = '', limit = 100): Promise<Page<AdminUser>> {
  return adminApi<Page<AdminUser>>(token, 'GET', `/users${query({ search, limit })}`);
}

export async function findUser(token: string, id: string): Promise<AdminUser | null> {
  try {
    return await adminApi<AdminUser>(token, 'GET', `/users/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return null;
    throw error;
  }
}

export async function sessionsOf(token: string, userId: string): Promise<AdminSession[]> {
  const page = await adminApi<Page<AdminSession>>(
    token,
    'GET',
    `/users/${encodeURIComponent(userId)}/sessions?limit=200`,
  );
  return page.items;
}

/**
 * The live IdP sessions of the first `users.length` users (the API lists sessions per user,
 * where the store keeps them), newest first.
 */
export async function liveSessions(token: string, users: AdminUser[]): Promise<AdminSession[]> {
  const lists = await Promise.all(users.map((user) => sessionsOf(token, user.id)));
  return lists.flat().sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
}

export async function listKeys(token: string): Promise<AdminKey[]> {
  return (await adminApi<Page<AdminKey>>(token, 'GET', '/keys')).items;
}

/** Usernames of the users among `actors`, looked up once per request each. */
const usernameOf = cache(async (token: string, id: string): Promise<string | null> => {
  return (await findUser(token, id))?.username ?? null;
});

export async function actorNames(
  token: string,
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].slice(0, 100);
  const names = await Promise.all(unique.map((id) => usernameOf(token, id)));
  return new Map(
    unique.flatMap((id, index) => (names[index] ? [[id, names[index]] as [string, string]] : [])),
  );
}

/** The ids of users an event names, as actor or subject, to show names instead. */
export function userIdsIn(events: AuditEvent[]): string[] {
  return events.flatMap((event) => [
    ...(event.actor.kind === 'user' ? [event.actor.id] : []),
    ...(event.subject === null ? [] : [event.subject]),
  ]);
}

export function actorLabel(actor: AuditActor, names: Map<string, string>): string {
  switch (actor.kind) {
    case 'user':
      return names.get(actor.id) ?? actor.id;
    case 'client':
      return `client ${actor.id}`;
    case 'operator':
      return `operator ${actor.id}`;
    default:
      return 'Latchkey';
  }
}
