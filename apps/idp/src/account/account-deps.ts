import type { ClientRegistry } from '../clients/client.js';
import type { Config } from '../config/config.js';
import type { AppAccessRow } from './apps-view.js';
import type { CsrfCookie } from '../login/csrf-cookie.js';
import type { LoginThrottle } from '../login/login-throttle.js';
import type { PageLoginDeps } from '../login/page-login.js';
import type { Revoker } from '../sessions/revoker.js';
import type { AccountLifecycle } from '../users/account-lifecycle.js';
import type { VerifyPassword } from '../users/password-hash.js';
import type { UserRepository } from '../users/user.js';

export interface AccountDeps extends PageLoginDeps {
  config: Pick<Config, 'issuer'>;
  users: UserRepository;
  clients: ClientRegistry;
  revoker: Revoker;
  /** The login form's CSRF cookie, reused for the account forms (page-csrf.ts). */
  csrf: CsrfCookie;
  /** The failed-login throttle: a wrong current password counts as a failed login. */
  throttle: LoginThrottle;
  verifyPassword: VerifyPassword;
  /** The one service every door changes an account through; here, `setPassword`. */
  accounts: Pick<AccountLifecycle, 'setPassword'>;
  /** The third-party apps the user allowed (consent/): the overview's "Apps with access". */
  appsWithAccess?: (userId: string) => Promise<readonly AppAccessRow[]>;
  /** The user's second factors (mfa/), for the overview's section; absent: not shown. */
  secondFactorStatus?: (userId: string) => Promise<{ totp: boolean }>;
}
