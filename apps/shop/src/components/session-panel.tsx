import type { LatchkeySession } from '@latchkey/sdk/next';
import { Countdown } from '@latchkey/demo-kit/countdown';

/** Who is signed in, and which session and key vouch for it. */
export function SessionPanel({ session }: { session: LatchkeySession }) {
  const expiresAt = session.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    <aside className="card session-panel" aria-labelledby="session-title">
      <h2 id="session-title">Your session</h2>
      <dl className="facts">
        <dt>Signed in as</dt>
        <dd>
          <strong>{session.username}</strong>
        </dd>
        <dt>Roles</dt>
        <dd data-testid="roles">
          {session.roles.length === 0
            ? 'none'
            : session.roles.map((role) => (
                <span key={role} className="badge">
                  {role}
                </span>
              ))}
        </dd>
        <dt>Subject (sub)</dt>
        <dd className="mono" data-testid="sub">
          {session.sub}
        </dd>
        <dt>Session (sid)</dt>
        <dd className="mono" data-testid="sid">
          {session.sid}
        </dd>
        <dt>Signed in with (amr, acr)</dt>
        <dd className="mono" data-testid="amr">
          {session.amr.join(' ') || 'pwd'}
          {session.acr ? (
            <span className="badge">{session.acr.replace(/^urn:latchkey:acr:/, '')}</span>
          ) : null}
        </dd>
        <dt>Signing key</dt>
        <dd className="mono">
          <span data-testid="kid">{session.kid}</span> <span className="badge">{session.alg}</span>
        </dd>
        <dt>Token expires</dt>
        <dd>
          <time className="mono" dateTime={expiresAt} data-testid="expires-at">
            {expiresAt}
          </time>
          <br />
          <Countdown until={expiresAt} />
        </dd>
      </dl>
      <p className="logout-note">
        <strong>Log out</strong> (top right) signs you out of every app: the shop, the wiki and the
        identity provider itself.
      </p>
    </aside>
  );
}
