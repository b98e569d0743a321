import { notFound } from 'next/navigation';
import {
  disableUser,
  enableUser,
  sendResetLink,
  signOutEverywhere,
} from '../../../actions/user-actions';
import { revokeSession } from '../../../actions/session-actions';
import { ActionForm } from '../../../components/action-form';
import { AuditTableHead, AuditTableRow } from '../../../components/audit-table';
import { ConsoleShell } from '../../../components/console-shell';
import { when } from '../../../components/format';
import { requireAdmin } from '../../../lib/admin-gate';
import { auditEvents, findUser, sessionsOf } from '../../../lib/admin-queries';
import { auditRows } from '../../../lib/audit-rows';

export const dynamic = 'force-dynamic';

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const session = await requireAdmin(`/users/${encodeURIComponent(id)}`);
  const token = session.accessToken;
  const user = id.length <= 200 ? await findUser(token, id) : null;
  if (!user) notFound();
  const [sessions, history] = await Promise.all([
    sessionsOf(token, user.id),
    auditEvents(token, { subject: user.id }, { limit: 15 }),
  ]);
  const rows = await auditRows(token, history.items);
  const self = user.id === session.sub;

  return (
    <ConsoleShell active="users" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <p className="muted">
              <a href="/users">Users</a> /
            </p>
            <h1 data-testid="user-name">{user.username}</h1>
          </div>
          <span className={`badge badge-${user.state}`} data-testid="user-state">
            {user.state}
          </span>
        </div>

        <div className="grid-2">
          <section className="card" aria-labelledby="profile-title">
            <h2 id="profile-title">Account</h2>
            <dl className="facts">
              <dt>Id</dt>
              <dd className="mono">{user.id}</dd>
              <dt>Name</dt>
              <dd>{user.name ?? '—'}</dd>
              <dt>Email</dt>
              <dd>
                {user.email ?? '—'}{' '}
                {user.email ? (
                  <span className={`badge ${user.email_verified ? 'badge-ok' : 'badge-warn'}`}>
                    {user.email_verified ? 'verified' : 'unverified'}
                  </span>
                ) : null}
              </dd>
              <dt>Roles</dt>
              <dd>{user.roles.join(', ') || '—'}</dd>
              <dt>Created</dt>
              <dd>{when(user.created_at)}</dd>
              <dt>Password changed</dt>
              <dd>{when(user.password_changed_at)}</dd>
            </dl>
          </section>

          <section className="card" aria-labelledby="actions-title">
            <h2 id="actions-title">Actions</h2>
            <p className="muted">
              Disabling signs {user.username} out of every app at once and refuses new logins.
            </p>
            <div className="actions">
              {user.state === 'disabled' ? (
                <ActionForm
                  action={enableUser}
                  fields={{ id: user.id }}
                  label="Enable"
                  testId="enable-user"
                />
              ) : (
                <ActionForm
                  action={disableUser}
                  fields={{ id: user.id }}
                  label="Disable"
                  tone="danger"
                  testId="disable-user"
                  {...(self && {
                    confirm: 'This is your own account: you will lose access to the console.',
                  })}
                />
              )}
              <ActionForm
                action={signOutEverywhere}
                fields={{ id: user.id }}
                label="Sign out everywhere"
                tone="quiet"
                testId="sign-out-everywhere"
              />
              <ActionForm
                action={sendResetLink}
                fields={{ id: user.id }}
                label="Reset link"
                tone="quiet"
                testId="reset-link"
              />
            </div>
          </section>
        </div>

        <section className="card table-wrap" aria-labelledby="sessions-title">
          <h2 id="sessions-title">Live sessions ({sessions.length})</h2>
          {sessions.length === 0 ? (
            <p className="empty">No live session.</p>
          ) : (
            <table className="table" data-testid="user-sessions">
              <thead>
                <tr>
                  <th>Session</th>
                  <th>Signed in</th>
                  <th>Last seen</th>
                  <th>Method</th>
                  <th>From</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {sessions.map((live) => (
                  <tr key={live.sid}>
                    <td className="mono">{live.sid.slice(0, 12)}…</td>
                    <td className="nowrap">{when(live.auth_time)}</td>
                    <td className="nowrap">{when(live.last_seen_at)}</td>
                    <td>{live.amr.join(', ')}</td>
                    <td className="muted">{live.address ?? '—'}</td>
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
        </section>

        <section className="card table-wrap" aria-labelledby="history-title">
          <div className="card-head">
            <h2 id="history-title">Recent events about {user.username}</h2>
            <a href={`/audit?subject=${encodeURIComponent(user.id)}`}>All →</a>
          </div>
          {rows.length === 0 ? (
            <p className="empty">Nothing recorded yet.</p>
          ) : (
            <table className="table">
              <AuditTableHead />
              <tbody>
                {rows.map((row) => (
                  <AuditTableRow key={row.event.id} row={row} />
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </ConsoleShell>
  );
}
