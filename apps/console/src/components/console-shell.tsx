import type { ReactNode } from 'react';
import { LogoutForm } from '@latchkey/demo-kit/logout-form';

export type Section = 'overview' | 'users' | 'sessions' | 'clients' | 'keys' | 'audit';

const SECTIONS: { id: Section; href: string; label: string; icon: string }[] = [
  {
    id: 'overview',
    href: '/',
    label: 'Overview',
    icon: 'M3 13h4v8H3zM10 8h4v13h-4zM17 3h4v18h-4z',
  },
  {
    id: 'users',
    href: '/users',
    label: 'Users',
    icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5z',
  },
  { id: 'sessions', href: '/sessions', label: 'Sessions', icon: 'M4 5h16v11H4zM8 20h8M12 16v4' },
  {
    id: 'clients',
    href: '/clients',
    label: 'Clients',
    icon: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z',
  },
  {
    id: 'keys',
    href: '/keys',
    label: 'Signing keys',
    icon: 'M8 15a4 4 0 1 1 3.9-5H21v3h-2v3h-3v-3h-4.1A4 4 0 0 1 8 15z',
  },
  {
    id: 'audit',
    href: '/audit',
    label: 'Audit log',
    icon: 'M6 3h9l4 4v14H6zM9 10h7M9 14h7M9 18h4',
  },
];

/** The frame of every console page: the section rail, the signed-in admin, logout. */
export function ConsoleShell({
  active,
  username,
  children,
}: {
  active?: Section;
  username?: string;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      <aside className="rail">
        <a className="brand" href="/">
          <svg viewBox="0 0 32 32" width="34" height="34" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#4f46e5" />
            <path d="M16 5l9 4v6c0 6-4 10-9 12-5-2-9-6-9-12V9z" fill="#fff" />
            <circle cx="16" cy="14" r="3" fill="#4f46e5" />
            <path d="M16 16v5" stroke="#4f46e5" strokeWidth="2.5" strokeLinecap="round" />
          </svg>
          <span>
            Latchkey
            <small>Admin console</small>
          </span>
        </a>
        {username === undefined ? null : (
          <nav className="nav" aria-label="Sections">
            {SECTIONS.map((section) => (
              <a
                key={section.id}
                href={section.href}
                aria-current={section.id === active ? 'page' : undefined}
              >
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                  <path
                    d={section.icon}
                    fill="none"
                    stroke="currentColor"
                    strokeWidth="1.8"
                    strokeLinejoin="round"
                  />
                </svg>
                {section.label}
              </a>
            ))}
          </nav>
        )}
        <p className="rail-foot">
          Every change here goes through the admin API with your own token, and is written to the
          audit log under your name.
        </p>
      </aside>
      <div className="main">
        <header className="topbar">
          <span className="topbar-title">Latchkey identity provider</span>
          {username === undefined ? null : (
            <div className="topbar-right">
              <span className="user-chip">
                <span className="avatar" aria-hidden="true">
                  {username.slice(0, 1).toUpperCase()}
                </span>
                <span data-testid="username">{username}</span>
              </span>
              <LogoutForm />
            </div>
          )}
        </header>
        {children}
      </div>
    </div>
  );
}
