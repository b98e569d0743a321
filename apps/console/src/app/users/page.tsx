import { ConsoleShell } from '../../components/console-shell';
import { when } from '../../components/format';
import { requireAdmin } from '../../lib/admin-gate';
import { listUsers } from '../../lib/admin-queries';

export const dynamic = 'force-dynamic';

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireAdmin('/users');
  const raw = (await searchParams).search;
  const search = (typeof raw === 'string' ? raw : '').slice(0, 200);
  const users = await listUsers(session.accessToken, search, 100);

  return (
    <ConsoleShell active="users" username={session.username}>
      <main className="page">
        <div className="page-head">
          <div>
            <h1>Users</h1>
            <p className="muted">Search by username, name or email; open a user to act.</p>
          </div>
          <form method="get" action="/users" className="filters" role="search">
            <label className="field">
              Search
              <input
                type="search"
                name="search"
                defaultValue={search}
                placeholder="alice, bob@example.com…"
                maxLength={200}
                data-testid="user-search"
              />
            </label>
            <button type="submit" className="button">
              Search
            </button>
          </form>
        </div>

        <section className="card table-wrap">
          {users.items.length === 0 ? (
            <p className="empty">No user matches “{search}”.</p>
          ) : (
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Email</th>
                  <th>Roles</th>
                  <th>State</th>
                  <th>Password changed</th>
                </tr>
              </thead>
              <tbody>
                {users.items.map((user) => (
                  <tr key={user.id} data-testid="user-row" data-username={user.username}>
                    <td>
                      <a href={`/users/${encodeURIComponent(user.id)}`}>
                        <strong>{user.username}</strong>
                      </a>
                      {user.name ? <div className="muted">{user.name}</div> : null}
                    </td>
                    <td>{user.email ?? '—'}</td>
                    <td>
                      {user.roles.map((role) => (
                        <span key={role} className="badge">
                          {role}
                        </span>
                      ))}
                    </td>
                    <td>
                      <span className={`badge badge-${user.state}`} data-testid="user-state">
                        {user.state}
                      </span>
                    </td>
                    <td className="muted">{when(user.password_changed_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {users.next_cursor === null ? null : (
            <p className="muted">More users than shown: narrow the search.</p>
          )}
        </section>
      </main>
    </ConsoleShell>
  );
}
