import 'server-only';
import type { AuditFilter } from './admin-queries';
import { listUsers } from './admin-queries';

const FIELDS = ['type', 'actor', 'subject', 'client', 'from', 'to'] as const;
type Query = Record<string, string | string[] | undefined>;

/** The audit page's filter fields as typed (bounded), for the form and the links. */
export function typedFilter(query: Query): Record<(typeof FIELDS)[number], string> {
  const value = (name: string) => {
    const raw = query[name];
    return (typeof raw === 'string' ? raw : '').trim().slice(0, 200);
  };
  return Object.fromEntries(FIELDS.map((name) => [name, value(name)])) as Record<
    (typeof FIELDS)[number],
    string
  >;
}

/**
 * The filter for the admin API: people type usernames, the trail records user ids, so an
 * actor or subject that is a username is turned into that user's id; `from`/`to` from the
 * form's local date-time inputs are read as UTC.
 */
export async function apiFilter(
  token: string,
  typed: Record<(typeof FIELDS)[number], string>,
): Promise<AuditFilter> {
  const idOf = async (name: string): Promise<string | undefined> => {
    if (name === '') return undefined;
    const found = (await listUsers(token, name, 20)).items.find((user) => user.username === name);
    return found?.id ?? name;
  };
  const instant = (text: string) => {
    if (text === '') return undefined;
    const at = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
    return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
  };
  return {
    type: typed.type || undefined,
    actor: await idOf(typed.actor),
    subject: await idOf(typed.subject),
    client: typed.client || undefined,
    from: instant(typed.from),
    to: instant(typed.to),
  };
}

export function filterQuery(filter: AuditFilter): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) {
    if (typeof value === 'string' && value !== '') params.set(name, value);
  }
  return params.toString();
}
