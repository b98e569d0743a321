import { createPageProxy } from '@latchkey/demo-kit/proxy';
import { config as appConfig } from './config';
import { latchkey } from './lib/latchkey';

export const proxy = createPageProxy(latchkey, appConfig);

// Next reads this object from this file itself, at build time, so it cannot move to the kit.
export const config = {
  // /auth/* must stay reachable without a session (it is how one gets a session).
  matcher: ['/((?!auth/|_next/|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};
