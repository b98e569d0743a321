import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { config } from '../config';
import { PAGES } from '../lib/pages';
import './globals.css';

export const metadata: Metadata = {
  title: 'Latchkey Wiki',
  description: 'Demo wiki signed in through the Latchkey identity provider',
};

/** The sidebar needs no session, so it frames the error and not-found pages too. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <div className="shell">
          <nav className="sidebar" aria-label="Wiki">
            <a className="brand" href="/">
              <svg viewBox="0 0 40 40" width="44" height="44" aria-hidden="true">
                <circle cx="20" cy="20" r="19" fill="#e2e8f0" stroke="#475569" strokeWidth="1.5" />
                <path
                  d="M11 12h8a3 3 0 0 1 3 3v14a3 3 0 0 0-3-3h-8z"
                  fill="#fff"
                  stroke="#334155"
                />
                <path
                  d="M29 12h-8a3 3 0 0 0-3 3v14a3 3 0 0 1 3-3h8z"
                  fill="#fff"
                  stroke="#334155"
                />
                <circle cx="25" cy="19" r="2" fill="#0f766e" />
              </svg>
              <span>
                Latchkey Wiki
                <small>The free encyclopedia of signing in</small>
              </span>
            </a>
            <h2>Pages</h2>
            <ul className="page-list">
              <li>
                <a href="/">Main page</a>
              </li>
              {PAGES.map((page) => (
                <li key={page.slug}>
                  <a href={`/pages/${page.slug}`}>{page.title}</a>
                </li>
              ))}
            </ul>
            <h2>Elsewhere</h2>
            <ul className="page-list">
              <li>
                <a href={`${config.shopUrl}/`} data-testid="other-app-link">
                  Open the shop →
                </a>
              </li>
            </ul>
          </nav>
          <div className="content">
            {children}
            <footer className="site-footer">
              Latchkey Wiki is a demo relying party. Its articles describe the demo you are using.
            </footer>
          </div>
        </div>
      </body>
    </html>
  );
}
