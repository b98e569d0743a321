import type { AccountLinks } from '../account-links/account-links.js';
import type { AuditLog, AuditTrail } from '../audit/audit-trail.js';
import type { ClientRegistry } from '../clients/client.js';
import type { ClientService } from '../clients/client-service.js';
import type { Config } from '../config/config.js';
import type { KeyManager } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import type { Revoker } from '../sessions/revoker.js';
import type { SessionRepository } from '../sessions/session.js';
import type { AccountLifecycle } from '../users/account-lifecycle.js';
import type { UserRepository } from '../users/user.js';
import type { ConsentAdmin } from '../consent/app-access.js';
import type { Cursors } from './cursor.js';

/** What the admin API's resources reach the IdP through: its services, never its tables. */
export interface AdminDeps {
  config: Config;
  logger: Logger;
  now: () => number;
  users: UserRepository;
  /** Every change of an account (users/account-lifecycle.ts), audited with the admin as actor. */
  accounts: AccountLifecycle;
  sessions: SessionRepository;
  revoker: Revoker;
  keys: KeyManager;
  /** Where the API's own changes are recorded (reset links, revocations). */
  audit: AuditTrail;
  /** The trail read back, for GET /audit-events. */
  auditLog: Pick<AuditLog, 'list'>;
  links: AccountLinks;
  clients: ClientRegistry;
  /** Registers and changes clients (clients/client-service.ts), audited with the admin. */
  clientService: ClientService;
  /** Users' consents to third-party clients (consent/app-access.ts); absent: none listed. */
  consents?: ConsentAdmin;
  /** MAC'd page cursors (cursor.ts). */
  cursors: Cursors;
  /**
   * Counts a call against its caller (a user's `sub` or a client's id) once it authenticated,
   * RATE_LIMIT_ADMIN_PER_CALLER (limits/): a runaway script must not take the directory down
   * with it. Resolves to how long to wait when the caller is over its rate, else null.
   */
  limitCaller?: (caller: string) => Promise<{ retryAfterSec: number } | null>;
}
