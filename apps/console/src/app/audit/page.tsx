import { AuditTableRow } from '../../components/audit-table';
import { ConsoleShell } from '../../components/console-shell';
import { LiveTail } from '../../components/live-tail';
import { requireAdmin } from '../../lib/admin-gate';
import { AdminApiError } from '../../lib/admin-api';
import { auditEvents } from '../../lib/admin-queries';
import { apiFilter, filterQuery, typedFilter } from '../../lib/audit-filter';
import { auditRows } from '../../lib/audit-rows';

export const dynamic = 'force-dynamic';

const TYPES = [
  'login.succeeded',
  'login.failed',
  'second_factor.failed',
  'session.created',
  'session.revoked',
  'user.disabled',
  'user.enabled',
  'user.reset_link_issued',
  'user.roles_changed',
  'key.rotated',
  'key.revoked',
  'client.authentication_failed',
  'refresh_token.reuse_detected',
];

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireAdmin('/audit');
  const token = session.accessToken;
  const typed = typedFilter(await searchParams);
  const filter = await apiFilter(token, typed);
  let problem: string | null = null;
  let events: Awaited<ReturnType<typeof auditEvents>> = { items: [], more: false };
  try {
    events = await auditEvents(token, filter, { limit: 100 });
  } catch (error) {
    // A filter the API refuses (a malformed date) is the user's to fix, not a broken page.
    if (!(error instanceof AdminApiError) || error.status !== 400) throw error;
    problem = error.message;
  }
  const rows = await auditRows(token, events.items);
  const newestId = Math.max(0, ...events.items.map((event) => Number(event.id)));

  return (
    <ConsoleShell active="audit" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Audit log</h1>
            <p className="muted">Who did what to whom, newest first.</p>
          </div>
        </div>

        <form method="get" action="/audit" className="card filters" role="search">
          <label className="field">
            Event
            <input name="type" list="event-types" defaultValue={typed.type} placeholder="any" />
            <datalist id="event-types">
              {TYPES.map((type) => (
                <option key={type} value={type} />
              ))}
            </datalist>
          </label>
          <label className="field">
            Actor
            <input name="actor" defaultValue={typed.actor} placeholder="username or id" />
          </label>
          <label className="field">
            Subject
            <input name="subject" defaultValue={typed.subject} placeholder="username or id" />
          </label>
          <label className="field">
            Client
            <input name="client" defaultValue={typed.client} placeholder="client id" />
          </label>
          <label className="field">
            From (UTC)
            <input type="datetime-local" name="from" defaultValue={typed.from} />
          </label>
          <label className="field">
            To (UTC)
            <input type="datetime-local" name="to" defaultValue={typed.to} />
          </label>
          <button type="submit" className="button">
            Filter
          </button>
          <a className="button button-quiet" href="/audit">
            Clear
          </a>
        </form>

        {problem === null ? null : <p className="result result-bad">{problem}</p>}

        <section className="card table-wrap">
          <LiveTail newestId={newestId} query={filterQuery(filter)}>
            <tbody>
              {rows.map((row) => (
                <AuditTableRow key={row.event.id} row={row} />
              ))}
            </tbody>
          </LiveTail>
          {rows.length === 0 ? <p className="empty">No event matches.</p> : null}
          {events.more ? (
            <p className="muted">Showing the newest 100: narrow the filter for older ones.</p>
          ) : null}
        </section>
      </main>
    </ConsoleShell>
  );
}
