import { ConsoleShell } from '../components/console-shell';
import { KeyLegend, KeyTimeline } from '../components/key-timeline';
import { LoginsChart } from '../components/logins-chart';

import { requireAdmin } from '../lib/admin-gate';
import { auditEvents, listKeys, listUsers, liveSessions } from '../lib/admin-queries';
import { auditRows } from '../lib/audit-rows';
import { perMinute } from '../lib/per-minute';

export const dynamic = 'force-dynamic';

const HOUR_MS = 60 * 60_000;

export default async function OverviewPage() {
  const session = await requireAdmin('/');
  const token = session.accessToken;
  const now = Date.now();
  const from = new Date(now - HOUR_MS).toISOString();
  const [succeeded, failed, revocations, users, keys] = await Promise.all([
    auditEvents(token, { type: 'login.succeeded', from }, { pages: 5 }),
    auditEvents(token, { type: 'login.failed', from }, { pages: 5 }),
    auditEvents(token, { type: 'session.revoked', from }, { pages: 5 }),
    listUsers(token, '', 200),
    listKeys(token),
  ]);
  const sessions = await liveSessions(token, users.items);
  const recentRevocations = await auditRows(token, revocations.items.slice(0, 6));
  const times = (events: { at: string }[]) => events.map((event) => new Date(event.at));
  const signing = keys.filter((key) => key.state === 'active');
  const plus = (more: boolean) => (more ? '+' : '');

  return (
    <ConsoleShell active="overview" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Overview</h1>
            <p className="muted">The identity provider over the last hour.</p>
          </div>
        </div>

        <section className="stats" aria-label="At a glance">
          <div className="stat">
            <div className="stat-label">Logins (1 h)</div>
            <div className="stat-value" data-testid="stat-logins">
              {succeeded.items.length}
              {plus(succeeded.more)}
            </div>
            <div className="stat-note">succeeded</div>
          </div>
          <div className="stat stat-bad">
            <div className="stat-label">Failures (1 h)</div>
            <div className="stat-value" data-testid="stat-failures">
              {failed.items.length}
              {plus(failed.more)}
            </div>
            <div className="stat-note">wrong password, unknown or disabled user</div>
          </div>
          <div className="stat">
            <div className="stat-label">Active sessions</div>
            <div className="stat-value" data-testid="stat-sessions">
              {sessions.length}
            </div>
            <div className="stat-note">
              IdP sessions of {users.items.length}
              {users.next_cursor === null ? '' : '+'} users
            </div>
          </div>
          <div className="stat">
            <div className="stat-label">Revocations (1 h)</div>
            <div className="stat-value" data-testid="stat-revocations">
              {revocations.items.length}
              {plus(revocations.more)}
            </div>
            <div className="stat-note">sessions ended before their time</div>
          </div>
        </section>

        <div className="grid-2">
          <section className="card" aria-labelledby="logins-title">
            <div className="card-head">
              <h2 id="logins-title">Logins per minute</h2>
              <div className="legend">
                <span>
                  <span className="swatch" style={{ background: '#6366f1' }} />
                  succeeded
                </span>
                <span>
                  <span className="swatch" style={{ background: '#ef4444' }} />
                  failed
                </span>
              </div>
            </div>
            <LoginsChart
              succeeded={perMinute(times(succeeded.items), now)}
              failed={perMinute(times(failed.items), now)}
            />
          </section>

          <section className="card" aria-labelledby="revocations-title">
            <div className="card-head">
              <h2 id="revocations-title">Latest revocations</h2>
              <a href="/audit?type=session.revoked">All →</a>
            </div>
            {recentRevocations.length === 0 ? (
              <p className="empty">No session was revoked in the last hour.</p>
            ) : (
              <ul className="plain-list">
                {recentRevocations.map((row) => (
                  <li key={row.event.id}>
                    <strong>{row.subject ?? 'a session'}</strong>{' '}
                    <span className="muted">
                      by {row.actor}
                      {row.event.detail?.reason
                        ? ` (${String(row.event.detail.reason)})`
                        : ''}, {row.event.at.slice(11, 19)} UTC
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>

        <section className="card" aria-labelledby="keys-title">
          <div className="card-head">
            <h2 id="keys-title">Key schedule</h2>
            <KeyLegend />
          </div>
          <p className="muted">
            {signing.length} signing key{signing.length === 1 ? '' : 's'} (
            {signing.map((key) => key.alg).join(', ')}); a new key is published before it signs, and
            a retired one stays published until its tokens have expired.{' '}
            <a href="/keys">Manage keys →</a>
          </p>
          <KeyTimeline keys={keys} now={now} />
        </section>
      </main>
    </ConsoleShell>
  );
}
