import type { WikiApiResult } from '../lib/wiki-api';

/** What the wiki's API answered to the shop's server, or why it did not. */
export function WikiApiPanel({
  result,
  username,
  wikiUrl,
}: {
  result: WikiApiResult;
  username: string;
  wikiUrl: string;
}) {
  return (
    <section className="card wiki-api" data-testid="wiki-api-data" aria-labelledby="wiki-api-title">
      <h2 id="wiki-api-title">From the wiki’s API</h2>
      {result.ok ? (
        <>
          <p className="muted">
            The shop’s server called <code>{wikiUrl}/api/pages</code> with your access token. The
            wiki checked it on its own and answered, authenticated as{' '}
            <strong data-testid="wiki-api-user">{result.requestedBy}</strong> with the same token
            {result.requestedBy === username ? '' : ' (a different user than you?)'}.
          </p>
          <ul className="wiki-pages">
            {result.pages.map((page) => (
              <li key={page.slug}>
                <a href={`${wikiUrl}/pages/${encodeURIComponent(page.slug)}`}>{page.title}</a>
                {page.summary ? <span className="muted"> — {page.summary}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <div className="error-box" role="alert" data-testid="wiki-api-error">
          <strong>
            The wiki’s API did not answer with pages
            {result.status === undefined ? '' : ` (HTTP ${result.status})`}
          </strong>
          <p>
            <code>{result.error}</code>: {result.description}
          </p>
        </div>
      )}
    </section>
  );
}
