import { LogoutForm } from '@latchkey/demo-kit/logout-form';
import { TokenInspector } from '@latchkey/demo-kit/token-inspector';
import { latchkey } from '../lib/latchkey';
import { config } from '../config';
import { fetchWikiPages } from '../lib/wiki-api';
import { PRODUCTS, formatPrice } from '../lib/products';
import { ShopHeader } from '../components/shop-header';
import { ProductArt } from '../components/product-art';
import { HeroArt } from '../components/hero-art';
import { SessionPanel } from '../components/session-panel';
import { WikiApiPanel } from '../components/wiki-api-panel';

export default async function HomePage() {
  // The real access check: the proxy may not have run (CVE-2025-29927).
  const session = await latchkey.getSession();
  const [wiki, inspection] = await Promise.all([
    fetchWikiPages(session.accessToken),
    latchkey.inspect(session.accessToken),
  ]);

  return (
    <>
      <ShopHeader>
        <a className="other-app" href={`${config.wikiUrl}/`} data-testid="other-app-link">
          Open the wiki →
        </a>
        <span className="user-chip">
          <span className="avatar" aria-hidden="true">
            {session.username.slice(0, 1).toUpperCase()}
          </span>
          {session.username}
        </span>
        <LogoutForm />
      </ShopHeader>

      <main className="page">
        <section className="hero">
          <div className="hero-text">
            <p className="eyebrow">Signed in with Latchkey single sign-on</p>
            <h1>
              Good to see you, <span data-testid="username">{session.username}</span>.
            </h1>
            <p>
              You signed in once, at the Latchkey identity provider. The shop never saw your
              password: it holds a token the IdP signed, and checks it on every page.
            </p>
          </div>
          <HeroArt />
        </section>

        <div className="columns">
          <section className="catalogue" aria-labelledby="catalogue-title">
            <h2 id="catalogue-title">Today’s keys and locks</h2>
            <ul className="product-grid">
              {PRODUCTS.map((product) => (
                <li key={product.id} className="product-card">
                  <div className={`product-art-frame tint-${product.art}`}>
                    <ProductArt art={product.art} />
                  </div>
                  <h3>{product.name}</h3>
                  <p>{product.blurb}</p>
                  <div className="product-foot">
                    <span className="price">{formatPrice(product.priceCents)}</span>
                    <button type="button" className="button button-small" disabled>
                      Add to basket
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </section>

          <SessionPanel session={session} />
        </div>

        <WikiApiPanel result={wiki} username={session.username} wikiUrl={config.wikiUrl} />

        <section className="card" aria-labelledby="inspector-title">
          <h2 id="inspector-title">Your access token</h2>
          <p className="muted">
            The token the shop holds for you, decoded. Anyone can read a JWT; only the signature,
            checked against the IdP’s published keys, makes it trustworthy.
          </p>
          <TokenInspector inspection={inspection} authentication={session} />
        </section>
      </main>
    </>
  );
}
