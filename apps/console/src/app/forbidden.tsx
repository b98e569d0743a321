import { ConsoleShell } from '../components/console-shell';

/**
 * What a signed-in user without the admin role sees, with status 403 (forbidden() in
 * lib/admin-gate.ts, before any data is fetched): nothing of the IdP's data.
 */
export default function ConsoleForbidden() {
  return (
    <ConsoleShell>
      <main className="notice" data-testid="forbidden">
        <p className="code">403</p>
        <h1>Admins only</h1>
        <p className="muted">
          You are signed in, but your account does not have the <code>admin</code> role, so the
          console shows you nothing. Ask an administrator if you need access.
        </p>
        <form method="post" action="/auth/logout">
          <button type="submit" className="button" data-testid="logout">
            Sign out
          </button>
        </form>
      </main>
    </ConsoleShell>
  );
}
