'use client';

/**
 * Shown when a page throws. In production a server error reaches the browser only as a digest
 * (Next hides the message), which is what the operator can look up in the server log.
 */
export default function WikiError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : undefined;
  return (
    <article className="article notice" role="alert">
      <h1>Something went wrong</h1>
      <p className="from">From Latchkey Wiki, the demo encyclopedia of single sign-on</p>
      <p className="lead">
        This page could not be shown. The identity provider or Redis may be restarting; trying again
        in a moment usually works.
      </p>
      {digest ? (
        <p>
          Reference for the server log: <code>{digest}</code>
        </p>
      ) : null}
      <p>
        <button type="button" className="button" onClick={() => retry()}>
          Try again
        </button>
      </p>
    </article>
  );
}
