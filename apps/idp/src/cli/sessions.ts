import { loadConfig } from '../config/config.js';
import { silentLogger } from '../logger.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { commandLogoutListener } from '../back-channel/command-listener.js';
import { commandSignalTransmitter } from '../ssf/command-transmitter.js';
import { createSessionServices } from '../sessions/session-services.js';
import { createDurableRevocations } from '../revocations/durable-revocations.js';
import { createRevocationLedger } from '../revocations/revocation-ledger.js';
import { auditSessionEnds } from '../sessions/audit-session-ends.js';
import { operatorAudit } from './operator-audit.js';
import type { SessionEndListener } from '../sessions/session-events.js';
import type { Session } from '../sessions/session.js';
import { createStore } from '../store/create-store.js';
import { claimStoreLayout } from '../store/store-layout.js';
import { createUserRepository } from '../users/user.js';
import { runCommand } from './run-command.js';

const USAGE = 'usage: sessions <list USER | revoke SID | revoke-user USER>';

/**
 * The operator's session command, on the store named by REDIS_URL. Revocations go through
 * the same revoker as the IdP's (record, publish, delete), so every SDK drops the tokens
 * within milliseconds, exactly as after a logout.
 */
async function run(args: string[]): Promise<number> {
  const [command, argument, ...rest] = args;
  if (
    !command ||
    !['list', 'revoke', 'revoke-user'].includes(command) ||
    !argument ||
    rest.length > 0
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  if (config.storeUrl === 'memory://') {
    process.stderr.write(
      'sessions: REDIS_URL=memory:// lives inside one IdP process; point REDIS_URL at Redis\n',
    );
    return 2;
  }
  if (command !== 'revoke' && config.database.kind === 'pglite' && config.database.path === null) {
    process.stderr.write(
      'sessions: DATABASE_URL=pglite://memory lives inside one IdP process; point DATABASE_URL ' +
        "at the IdP's database\n",
    );
    return 2;
  }
  const store = createStore(config.storeUrl, { sentinelPassword: config.redisSentinelPassword });
  // The IdP's database: to find a user by name, and to enqueue the back-channel logout
  // tokens the running IdP then sends.
  let database: Database | undefined;
  try {
    // Like the IdP, never act on a store written with another key layout.
    await claimStoreLayout(store);
    const listeners: SessionEndListener[] = [];
    if (!(config.database.kind === 'pglite' && config.database.path === null)) {
      try {
        database = await openDatabase(config.database);
        listeners.push(await commandLogoutListener(config, database, silentLogger));
        // And a CAEP session-revoked event for every Shared Signals stream (ssf/).
        listeners.push(commandSignalTransmitter(config, database, silentLogger));
      } catch (error) {
        // `revoke SID` needs only Redis. Without the database (an embedded one the IdP holds
        // open), the IdP's expiry sweeper still finds the ended session and tells its clients.
        if (command !== 'revoke') throw error;
        process.stderr.write(
          `sessions: back-channel logout left to the IdP's sweeper: ${(error as Error).message}\n`,
        );
      }
    }
    // What an operator revokes is recorded, with the operator, wherever the directory is open.
    if (database) {
      const operator = operatorAudit(database);
      listeners.push(auditSessionEnds(operator.audit, operator.actor));
    }
    // Recorded durably too where the IdP's database is open, as the IdP records its own.
    const durable =
      database &&
      createDurableRevocations({
        ledger: createRevocationLedger(database),
        store,
        logger: silentLogger,
        now: Date.now,
        replication: config.redisReplication,
        sessionLifeMs: config.sessionMaxTtlMs,
      });
    const { sessions, revoker } = createSessionServices(config, {
      store,
      logger: silentLogger,
      now: Date.now,
      listeners,
      ...(durable && { durable }),
    });

    if (command === 'revoke') {
      const session = await sessions.find(argument, Date.now());
      if (!session) {
        process.stderr.write('sessions: no live session with that id\n');
        return 1;
      }
      await revoker.revokeSession(session, 'admin');
      process.stdout.write(`revoked session of ${session.username}\n`);
      return 0;
    }

    database ??= await openDatabase(config.database);
    const user = await createUserRepository(database).findByUsername(argument);
    if (!user) {
      process.stderr.write(`sessions: no user named ${JSON.stringify(argument)}\n`);
      return 1;
    }
    if (command === 'list') {
      print(await sessions.listForUser(user.id, Date.now()));
    } else {
      const count = await revoker.revokeUser(user.id, 'admin');
      process.stdout.write(
        `revoked ${count} session(s) of ${user.username}, and every token issued to them until now\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
    await database?.close();
  }
}

function print(sessions: Session[]): void {
  if (sessions.length === 0) {
    process.stdout.write('no live sessions\n');
    return;
  }
  const time = (ms: number) => new Date(ms).toISOString();
  const header = ['SID', 'CREATED', 'LAST SEEN', 'EXPIRES', 'AUTH TIME'];
  const rows = sessions.map((session) => [
    session.sid,
    time(session.createdAt),
    time(session.lastSeenAt),
    time(session.expiresAt),
    time(session.authTime * 1000),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
  }
}

runCommand('sessions', run);
