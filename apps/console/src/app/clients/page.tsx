import { registerClient, rotateClientSecret } from '../../actions/client-actions';
import { ActionForm } from '../../components/action-form';
import { ConsoleShell } from '../../components/console-shell';
import { requireAdmin } from '../../lib/admin-gate';
import { adminApi, AdminApiError, type Page } from '../../lib/admin-api';
import type { AdminClient } from '../../lib/admin-types';
import { GRANT_CHOICES, grantLabel } from '../../lib/client-choices';

/** What sets a client apart, beyond public or confidential: shown as badges. */
function traits(client: AdminClient): string[] {
  return [
    ...(client.application_type === 'native' ? ['native'] : []),
    ...(client.first_party === false ? ['third-party'] : []),
    ...(client.dpop_bound_access_tokens ? ['DPoP'] : []),
    ...(client.require_pushed_authorization_requests ? ['PAR'] : []),
  ];
}

export const dynamic = 'force-dynamic';

/** The registered clients, or null where this IdP's admin API has no clients resource yet. */
async function clientsOrNull(token: string): Promise<AdminClient[] | null> {
  try {
    return (await adminApi<Page<AdminClient>>(token, 'GET', '/clients?limit=200')).items;
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return null;
    throw error;
  }
}

export default async function ClientsPage() {
  const session = await requireAdmin('/clients');
  const clients = await clientsOrNull(session.accessToken);

  return (
    <ConsoleShell active="clients" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Clients</h1>
            <p className="muted">The applications that sign people in through Latchkey.</p>
          </div>
        </div>

        {clients === null ? (
          <section className="card">
            <p className="empty">
              This IdP’s admin API has no clients resource: its clients come from{' '}
              <code>CLIENTS_FILE</code>.
            </p>
          </section>
        ) : (
          <>
            <section className="card table-wrap">
              <table className="table" data-testid="clients-table">
                <thead>
                  <tr>
                    <th>Client</th>
                    <th>Type</th>
                    <th>Grants</th>
                    <th>Redirect URIs</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {clients.map((client) => (
                    <tr key={client.client_id}>
                      <td>
                        <strong className="mono">{client.client_id}</strong>
                        {client.client_name ? (
                          <div className="muted">{client.client_name}</div>
                        ) : null}
                      </td>
                      <td>
                        <span className="badge">
                          {client.token_endpoint_auth_method === 'none' ? 'public' : 'confidential'}
                        </span>
                        {traits(client).map((trait) => (
                          <span key={trait} className="badge">
                            {trait}
                          </span>
                        ))}
                      </td>
                      <td className="muted">
                        {(client.grant_types ?? []).map(grantLabel).join(', ')}
                      </td>
                      <td className="mono muted">{(client.redirect_uris ?? []).join(' ')}</td>
                      <td>
                        {client.token_endpoint_auth_method === 'none' ? null : (
                          <ActionForm
                            action={rotateClientSecret}
                            fields={{ client_id: client.client_id }}
                            label="Rotate secret"
                            tone="quiet"
                            confirm={`The current secret of ${client.client_id} stops working at once; the application needs the new one.`}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>

            <section className="card" aria-labelledby="register-title">
              <h2 id="register-title">Register a client</h2>
              <ActionForm action={registerClient} label="Register" testId="register-client">
                <div className="filters">
                  <label className="field">
                    Client id (empty: generated)
                    <input name="client_id" maxLength={100} />
                  </label>
                  <label className="field">
                    Name
                    <input name="client_name" maxLength={200} required />
                  </label>
                  <label className="field">
                    Type
                    <select name="token_endpoint_auth_method" defaultValue="client_secret_basic">
                      <option value="client_secret_basic">confidential (secret, Basic)</option>
                      <option value="client_secret_post">confidential (secret, POST)</option>
                      <option value="none">public (PKCE only)</option>
                    </select>
                  </label>
                  <label className="field">
                    Application
                    <select name="application_type" defaultValue="web">
                      <option value="web">web (server or browser)</option>
                      <option value="native">native (desktop, mobile, CLI)</option>
                    </select>
                  </label>
                  <label className="field">
                    Scope
                    <input name="scope" maxLength={500} placeholder="openid profile" />
                  </label>
                </div>
                <label className="field">
                  Redirect URIs (one per line)
                  <textarea name="redirect_uris" maxLength={4000} />
                </label>
                <label className="field">
                  APIs its tokens may name (resources, one per line)
                  <textarea
                    name="resources"
                    maxLength={4000}
                    rows={2}
                    required
                    placeholder="https://api.example.com"
                  />
                </label>
                <label className="field">
                  Browser origins beyond the redirect URIs’ (web_origins, one per line)
                  <textarea name="web_origins" maxLength={4000} rows={2} />
                </label>
                <div className="field">
                  Grant types
                  <div className="checks">
                    {GRANT_CHOICES.map((grant) => (
                      <label key={grant}>
                        <input
                          type="checkbox"
                          name="grant_types"
                          value={grant}
                          defaultChecked={
                            grant === 'authorization_code' || grant === 'refresh_token'
                          }
                        />{' '}
                        {grantLabel(grant)}
                      </label>
                    ))}
                  </div>
                </div>
                <div className="field">
                  Policy
                  <div className="checks">
                    <label>
                      <input type="checkbox" name="third_party" /> third-party: users are asked for
                      consent
                    </label>
                    <label>
                      <input type="checkbox" name="dpop" /> require DPoP-bound tokens
                    </label>
                    <label>
                      <input type="checkbox" name="par" /> require pushed authorization requests
                    </label>
                  </div>
                </div>
              </ActionForm>
            </section>
          </>
        )}
      </main>
    </ConsoleShell>
  );
}
