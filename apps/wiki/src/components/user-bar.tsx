import type { LatchkeySession } from '@latchkey/sdk/next';
import { LogoutForm } from '@latchkey/demo-kit/logout-form';

/** Account controls above every article. */
export function UserBar({ session }: { session: LatchkeySession }) {
  return (
    <div className="userbar">
      <span className="userbar-name">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="5" r="3.2" fill="currentColor" />
          <path d="M2 15c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5z" fill="currentColor" />
        </svg>
        {session.username}
      </span>
      <span className="userbar-note">Log out signs you out of every app</span>
      <LogoutForm />
    </div>
  );
}
