import { revokeSession } from '../../actions/session-actions';
import { ActionForm } from '../../components/action-form';
import { ConsoleShell } from '../../components/console-shell';
import { when } from '../../components/format';
import { requireAdmin } from '../../lib/admin-gate';
import { listUsers, liveSessions } from '../../lib/admin-queries';

export const dynamic = 'force-dynamic';

export default async function SessionsPage() {
  const session = await requireAdmin('/sessions');
  const users = await listUsers(session.accessToken, '', 200);
  const sessions = await liveSessions(session.accessToken, users.items);

  return (
    <ConsoleShell active="sessions" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Sessions</h1>
            <p className="muted">
              Live single sign-on sessions at the IdP. Revoking one signs its user out of every app
              within milliseconds: each app hears of it through Redis.
            </p>
          </div>
        </div>
        <section className="card table-wrap">
          {sessions.length === 0 ? (
            <p className="empty">No live session.</p>
          ) : (
            <table className="table" data-testid="sessions-table">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Session</th>
                  <th>Signed in</th>
                  <th>Last seen</th>
                  <th>Expires</th>
                  <th>Method</th>
                  <th>From</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {sessions.map((live) => (
                  <tr key={live.sid} data-testid="session-row" data-username={live.username}>
                    <td>
                      <a href={`/users/${encodeURIComponent(live.user_id)}`}>
                        <strong>{live.username}</strong>
                      </a>
                    </td>
                    <td className="mono">{live.sid.slice(0, 12)}…</td>
                    <td className="nowrap">{when(live.auth_time)}</td>
                    <td className="nowrap">{when(live.last_seen_at)}</td>
                    <td className="muted nowrap">{when(live.expires_at)}</td>
                    <td>
                      {live.amr.join(', ')}
                      {live.acr === 'urn:latchkey:acr:mfa' ? (
                        <span className="badge badge-ok">mfa</span>
                      ) : null}
                    </td>
                    <td className="muted" title={live.user_agent ?? ''}>
                      {live.address ?? '—'}
                    </td>
                    <td>
                      <ActionForm
                        action={revokeSession}
                        fields={{ sid: live.sid }}
                        label="Revoke"
                        tone="quiet"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {users.next_cursor === null ? null : (
            <p className="muted">Sessions of the first {users.items.length} users.</p>
          )}
        </section>
      </main>
    </ConsoleShell>
  );
}
