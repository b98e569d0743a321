'use client';

import { ConsoleShell } from '../components/console-shell';

/**
 * Shown when a page throws. In production a server error reaches the browser only as a digest
 * (Next hides the message), which is what the operator can look up in the server log.
 */
export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : undefined;
  return (
    <ConsoleShell>
      <main className="notice" role="alert">
        <p className="code">Oops</p>
        <h1>The console could not show this page</h1>
        <p className="muted">
          The identity provider, its admin API or Redis may be restarting. This is usually brief.
        </p>
        {digest ? (
          <p className="muted">
            Reference for the server log: <code>{digest}</code>
          </p>
        ) : null}
        <p>
          <button type="button" className="button" onClick={() => retry()}>
            Try again
          </button>
        </p>
      </main>
    </ConsoleShell>
  );
}
