import type { ReactNode } from 'react';

/** The shop's top bar; pages put their own links and account controls on the right. */
export function ShopHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="topbar">
      <a className="brand" href="/">
        <svg viewBox="0 0 32 32" width="34" height="34" aria-hidden="true">
          <path d="M6 11h20l-2 17H8z" fill="#fff" />
          <path d="M11 11V8a5 5 0 0 1 10 0v3" stroke="#fff" strokeWidth="2.5" fill="none" />
          <circle cx="16" cy="18" r="3" fill="#ea580c" />
          <path d="M16 20v4" stroke="#ea580c" strokeWidth="2.5" strokeLinecap="round" />
        </svg>
        <span>Latchkey Shop</span>
      </a>
      <div className="topbar-right">{children}</div>
    </header>
  );
}
