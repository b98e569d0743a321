import { ConsoleShell } from '../components/console-shell';

export default function ConsoleNotFound() {
  return (
    <ConsoleShell>
      <main className="notice">
        <p className="code">404</p>
        <h1>Nothing here</h1>
        <p className="muted">There is no console page (or no such record) at this address.</p>
        <p>
          <a className="button" href="/">
            Back to the overview
          </a>
        </p>
      </main>
    </ConsoleShell>
  );
}
