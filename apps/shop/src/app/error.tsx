'use client';

import { ShopHeader } from '../components/shop-header';

/**
 * Shown when a page throws. In production a server error reaches the browser only as a digest
 * (Next hides the message), which is what the operator can look up in the server log.
 */
export default function ShopError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : undefined;
  return (
    <>
      <ShopHeader />
      <main className="notice" role="alert">
        <p className="code">Oops</p>
        <h1>Something went wrong in the shop</h1>
        <p className="muted">
          The page could not be shown. This is usually brief: the identity provider or Redis may be
          restarting.
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
    </>
  );
}
