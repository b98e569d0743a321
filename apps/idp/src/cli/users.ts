import { resetPasskeys } from '../passkeys/reset-passkeys.js';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { silentLogger } from '../logger.js';
import { commandLogoutListener } from '../back-channel/command-listener.js';
import { commandSignalTransmitter } from '../ssf/command-transmitter.js';
import { createSessionServices } from '../sessions/session-services.js';
import type { AuditActor } from '../audit/audit-event.js';
import { auditSessionEnds } from '../sessions/audit-session-ends.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { operatorAudit } from './operator-audit.js';
import { createStore } from '../store/create-store.js';
import { claimStoreLayout } from '../store/store-layout.js';
import type { Store } from '../store/store.js';
import { AccountError, PasswordRefusedError } from '../users/account-errors.js';
import { createAccountLifecycle, type SessionEnder } from '../users/account-lifecycle.js';
import { deleteAllSecondFactors } from '../mfa/second-factor-queries.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../users/password-policy.js';
import { createUserRepository } from '../users/user.js';
import { PasswordInputError } from './password-input.js';
import { runCommand } from './run-command.js';
import { USERS_SUBCOMMANDS, type UsersContext, type UsersSubcommand } from './user-commands.js';

/**
 * The operator's `users` command, on the directory named by DATABASE_URL and the store named
 * by REDIS_URL. Every change goes through the account lifecycle (users/account-lifecycle.ts),
 * the service the IdP's own doors use: disabling here signs the user out everywhere exactly
 * as the admin API will. Exit codes: 0 done, 1 refused or failed, 2 bad usage or a store
 * that cannot be the IdP's.
 */
function usage(): string {
  const lines = Object.values(USERS_SUBCOMMANDS).map(({ usage: text }) => `  users ${text}`);
  return `usage:\n${lines.join('\n')}\nUSER is a username (any spelling) or a user id.\n`;
}

async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const subcommand = name !== undefined ? USERS_SUBCOMMANDS[name] : undefined;
  if (!subcommand || name === '__proto__') {
    process.stderr.write(usage());
    return 2;
  }
  let parsed: { values: UsersContext['options']; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: subcommand.options ?? {},
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`users: ${(error as Error).message}\nusage: users ${subcommand.usage}\n`);
    return 2;
  }
  const { min, max } = subcommand.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    process.stderr.write(`usage: users ${subcommand.usage}\n`);
    return 2;
  }

  const config = loadConfig(process.env);
  const refusal = unusableStores(config, subcommand);
  if (refusal) {
    process.stderr.write(`users: ${refusal}\n`);
    return 2;
  }
  const database = await openDatabase(config.database);
  const operator = operatorAudit(database);
  let store: Store | undefined;
  try {
    const context: UsersContext = {
      config,
      database,
      options: parsed.values,
      positionals: parsed.positionals,
      directory: createUserRepository(database),
      accounts: createAccountLifecycle({
        users: createUserRepository(database),
        sessions: sessionsOnDemand(config, database, (opened) => (store = opened), operator),
        // set-password: a CAEP credential-change for every stream that asked for one.
        notifier: commandSignalTransmitter(config, database, silentLogger).accountNotifier,
        reportNoticeFailure: (error) =>
          process.stderr.write(
            `users: the Shared Signals event was not queued: ${(error as Error).message}\n`,
          ),
        ...operator,
        // TOTP and recovery codes, and every passkey.
        secondFactorRemovers: [
          (userId) => deleteAllSecondFactors(database, userId),
          (userId) => resetPasskeys(database, userId).then(() => undefined),
        ],
      }),
      terminal: { input: process.stdin, output: process.stderr },
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    };
    return await subcommand.run(context);
  } catch (error) {
    const explained = explain(error);
    if (explained === null) throw error;
    process.stderr.write(`users: ${explained}\n`);
    return 1;
  } finally {
    await store?.close();
    await closeQuietly(database);
  }
}

/** Why the stores named cannot be the running IdP's, or null. */
function unusableStores(config: Config, subcommand: UsersSubcommand): string | null {
  if (config.database.kind === 'pglite' && config.database.path === null) {
    return "DATABASE_URL=pglite://memory lives inside one IdP process; point DATABASE_URL at the IdP's database";
  }
  if (subcommand.endsSessions && config.storeUrl === 'memory://') {
    return "REDIS_URL=memory:// lives inside one IdP process; point REDIS_URL at the IdP's Redis (this command ends sessions)";
  }
  return null;
}

/**
 * The revoker, on the IdP's Redis, opened only by a subcommand that ends sessions: `list` and
 * `show` work with the directory alone.
 */
function sessionsOnDemand(
  config: Config,
  database: Database,
  opened: (store: Store) => void,
  operator: { audit: AuditTrail; actor: AuditActor },
): SessionEnder {
  let revoker: Promise<SessionEnder> | undefined;
  const get = () =>
    (revoker ??= (async () => {
      const store = createStore(config.storeUrl, {
        sentinelPassword: config.redisSentinelPassword,
      });
      opened(store);
      // Like the IdP, never act on a store written with another key layout.
      await claimStoreLayout(store);
      // Back-channel logout tokens are enqueued in the IdP's database; the IdP sends them.
      // So are the Shared Signals events (ssf/), which the IdP delivers; and the audit trail
      // records what the operator ended.
      const listeners = [
        await commandLogoutListener(config, database, silentLogger),
        commandSignalTransmitter(config, database, silentLogger),
        auditSessionEnds(operator.audit, operator.actor),
      ];
      return createSessionServices(config, {
        store,
        logger: silentLogger,
        now: Date.now,
        listeners,
      }).revoker;
    })());
  return {
    revokeUser: async (sub, reason) => (await get()).revokeUser(sub, reason),
    revokeOtherSessions: async (sub, keep, reason) =>
      (await get()).revokeOtherSessions(sub, keep, reason),
  };
}

const PASSWORD_PROBLEMS: Record<PasswordRefusedError['problem'], string> = {
  too_short: `too short: at least ${MIN_PASSWORD_LENGTH} characters`,
  too_long: `too long: at most ${MAX_PASSWORD_LENGTH} characters`,
  invalid_characters: 'it holds a NUL or an unpaired surrogate',
  common: 'it is on the list of commonly used or breached passwords',
  contains_username: 'it contains the username or the email name',
};

/** The one line an operator sees for a refusal they can act on; null for anything else. */
function explain(error: unknown): string | null {
  if (error instanceof PasswordRefusedError) {
    return `password refused: ${PASSWORD_PROBLEMS[error.problem]}`;
  }
  if (error instanceof AccountError || error instanceof PasswordInputError) return error.message;
  if ((error as { code?: unknown } | null)?.code === '42P01') {
    return 'the database has no users table yet: run `db migrate` (or start the IdP) first';
  }
  return null;
}

async function closeQuietly(database: Database): Promise<void> {
  try {
    await database.close();
  } catch {
    // Closing after a failure must not hide the failure's own message.
  }
}

runCommand('users', run);
