import { revokeKey, rotateKeys } from '../../actions/key-actions';
import { ActionForm } from '../../components/action-form';
import { ConsoleShell } from '../../components/console-shell';
import { when } from '../../components/format';
import { KeyLegend, KeyTimeline } from '../../components/key-timeline';
import { requireAdmin } from '../../lib/admin-gate';
import { listKeys } from '../../lib/admin-queries';

export const dynamic = 'force-dynamic';

export default async function KeysPage() {
  const session = await requireAdmin('/keys');
  const keys = await listKeys(session.accessToken);
  const now = Date.now();

  return (
    <ConsoleShell active="keys" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Signing keys</h1>
            <p className="muted">
              The IdP rotates its keys by itself. Rotate now to bring the schedule forward; revoke a
              key only if it may be compromised: every token it signed stops working at once.
            </p>
          </div>
          <ActionForm
            action={rotateKeys}
            label="Rotate now"
            confirm="A new key starts signing now; the current one retires and stays published until its tokens expire."
            testId="rotate-keys"
          />
        </div>

        <section className="card">
          <div className="card-head">
            <h2>Timeline</h2>
            <KeyLegend />
          </div>
          <KeyTimeline keys={keys} now={now} />
        </section>

        <section className="card table-wrap">
          <table className="table" data-testid="keys-table">
            <thead>
              <tr>
                <th>Key id</th>
                <th>Algorithm</th>
                <th>State</th>
                <th>Created</th>
                <th>Signing since</th>
                <th>Retired</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.kid} data-testid="key-row" data-kid={key.kid}>
                  <td className="mono">{key.kid}</td>
                  <td>{key.alg}</td>
                  <td>
                    <span className={`badge badge-${key.state}`}>{key.state}</span>
                  </td>
                  <td className="nowrap">{when(key.created_at)}</td>
                  <td className="nowrap">{when(key.activated_at)}</td>
                  <td>
                    {key.revoked_at ? `revoked ${when(key.revoked_at)}` : when(key.retired_at)}
                  </td>
                  <td>
                    {key.state === 'revoked' ? null : (
                      <ActionForm
                        action={revokeKey}
                        fields={{ kid: key.kid }}
                        label="Revoke"
                        tone="danger"
                        confirm={`Revoke ${key.kid}? It leaves the JWKS now and every token it signed is refused; users signed in with those tokens must sign in again.`}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </main>
    </ConsoleShell>
  );
}
