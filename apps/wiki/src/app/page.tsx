import { TokenInspector } from '@latchkey/demo-kit/token-inspector';
import { latchkey } from '../lib/latchkey';
import { PAGES } from '../lib/pages';
import { UserBar } from '../components/user-bar';
import { SessionInfobox } from '../components/session-infobox';

export default async function MainPage() {
  // The real access check: the proxy may not have run (CVE-2025-29927).
  const session = await latchkey.getSession();
  const inspection = await latchkey.inspect(session.accessToken);

  return (
    <>
      <UserBar session={session} />
      <article className="article">
        <h1>Main page</h1>
        <p className="from">From Latchkey Wiki, the demo encyclopedia of single sign-on</p>
        <SessionInfobox session={session} />
        <p className="lead">
          Welcome, <strong>{session.username}</strong>. You are reading this wiki because the
          Latchkey identity provider vouched for you: this site has never seen your password. If you
          signed in to the shop first, the IdP recognised you and sent you straight back here.
        </p>
        <p>
          The box on the right is what the wiki knows about you, taken from the access token it
          verified on this request. The same check runs on every page and on the wiki’s JSON API at{' '}
          <code>/api/pages</code>, which the shop calls with your token.
        </p>

        <h2>Pages</h2>
        <ul className="article-index">
          {PAGES.map((page) => (
            <li key={page.slug}>
              <a href={`/pages/${page.slug}`}>{page.title}</a> — {page.summary}
            </li>
          ))}
        </ul>

        <h2>Your access token</h2>
        <p>
          Like every JWT, the token is three base64url parts: a header naming the key and algorithm,
          a payload of claims, and a signature over both. Anyone can decode the first two; only the
          signature, checked against the IdP’s published keys, makes them true.
        </p>
        <TokenInspector inspection={inspection} authentication={session} />

        <h2>Signing out</h2>
        <p className="logout-note">
          The <strong>Log out</strong> button at the top ends your session at the identity provider,
          which signs you out of every app: this wiki, the shop and the IdP itself.
        </p>
      </article>
    </>
  );
}
