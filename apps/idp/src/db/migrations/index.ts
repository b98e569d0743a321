import type { Migration } from '../migration.js';
import { usersMigration } from './001-users.js';
import { accountLinksMigration } from './002-account-links.js';
import { signingKeysMigration } from './003-signing-keys.js';
import { deliveriesMigration } from './004-deliveries.js';
import { ssfStreamsMigration } from './005-ssf-streams.js';
import { auditEventsMigration } from './008-audit-events.js';
import { secondFactorsMigration } from './006-second-factors.js';
import { passkeysMigration } from './007-passkeys.js';
import { clientsMigration } from './009-clients.js';
import { userVersionMigration } from './010-user-version.js';
import { consentMigration } from './011-consent.js';
import { userLifecycleMigration } from './012-user-lifecycle.js';
import { revocationsMigration } from './013-revocations.js';
import { idTokenOnRefreshMigration } from './014-id-token-on-refresh.js';

/**
 * Every migration, in order. Numbered, and never edited once landed: a database that ran one
 * will not run it again, so a change is a new migration at the end.
 */
export const MIGRATIONS: readonly Migration[] = [
  usersMigration,
  accountLinksMigration,
  signingKeysMigration,
  deliveriesMigration,
  ssfStreamsMigration,
  secondFactorsMigration,
  passkeysMigration,
  auditEventsMigration,
  clientsMigration,
  userVersionMigration,
  consentMigration,
  userLifecycleMigration,
  revocationsMigration,
  idTokenOnRefreshMigration,
];
