import { loadConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { openDatabase } from '../db/open-database.js';
import { revokeKeyById, rotateKeys } from '../keys/key-commands.js';
import { operatorAudit } from './operator-audit.js';
import { createKeyFactory } from '../keys/key-generation.js';
import { summarise } from '../keys/key-manager.js';
import { createKeyMirror } from '../keys/key-mirror.js';
import { keyPolicyFor } from '../keys/key-policy.js';
import { createKeyRepository } from '../keys/key-repository.js';
import { keyState, type KeySet } from '../keys/key-set.js';
import { createStore } from '../store/create-store.js';
import { claimStoreLayout } from '../store/store-layout.js';
import { runCommand } from './run-command.js';

const USAGE = 'usage: keys <list | rotate [--if-active KID] | revoke KID>';

/**
 * The operator's key command. It acts on the keys in DATABASE_URL and their copy in REDIS_URL
 * the same way a running IdP does (one committed change, then the copy and a notice), and
 * running IdPs pick the change up at once.
 */
async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const kid = command === 'revoke' && rest.length === 1 ? rest[0] : undefined;
  const ifActive = command === 'rotate' && rest[0] === '--if-active' ? rest[1] : undefined;
  const valid =
    (command === 'list' && rest.length === 0) ||
    (command === 'rotate' && (rest.length === 0 || (rest.length === 2 && ifActive))) ||
    (command === 'revoke' && kid);
  if (!valid) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  if (config.storeUrl === 'memory://') {
    process.stderr.write(
      'keys: REDIS_URL=memory:// lives inside one IdP process; point REDIS_URL at Redis\n',
    );
    return 2;
  }
  if (config.database.kind === 'pglite' && config.database.path === null) {
    process.stderr.write(
      "keys: DATABASE_URL=pglite://memory keeps nothing; point it at the IdP's database\n",
    );
    return 2;
  }
  if (config.keyEncryptionKeyIsEphemeral && command !== 'list') {
    process.stderr.write(
      "keys: set KEY_ENCRYPTION_KEY to the IdP's, or new keys could not be opened by it\n",
    );
    return 2;
  }
  const store = createStore(config.storeUrl, { sentinelPassword: config.redisSentinelPassword });
  let database: Database | undefined;
  try {
    // Like the IdP, never act on a store written with another key layout.
    await claimStoreLayout(store);
    database = await openDatabase(config.database);
    // As the IdP does at start-up: a database this build cannot read is refused, a new one made.
    await migrate(database, MIGRATIONS);
    const policy = keyPolicyFor(config);
    const repository = createKeyRepository(database);
    const deps = {
      store,
      repository,
      mirror: createKeyMirror(store, {
        retentionMs: policy.retentionMs,
        now: Date.now,
        replication: config.redisReplication,
      }),
      replication: config.redisReplication,
      policy,
      newKey: createKeyFactory(config.keyEncryptionKey),
      now: Date.now,
      ...operatorAudit(database),
    };
    const before = await repository.read();
    if (command === 'list') {
      print(before);
    } else if (command === 'rotate') {
      if (!before) throw new Error('no key set yet: start the IdP once first');
      // "Rotate if KID still signs": operators (or scripts) starting at the same moment do not
      // read the set at the same moment, and one that looks after another's rotation would
      // rotate again. Naming the key they mean makes them agree on exactly one rotation.
      const seen = before;
      if (
        ifActive !== undefined &&
        !seen.keys.some((key) => key.kid === ifActive && keyState(key) === 'active')
      ) {
        process.stdout.write(`not rotated: ${ifActive} is not an active key (already rotated?)\n`);
        print(seen);
        return 0;
      }
      print(await rotateKeys(deps, seen));
    } else {
      print(await revokeKeyById(deps, kid!));
    }
    return 0;
  } finally {
    await store.close();
    await database?.close();
  }
}

function print(set: KeySet | null): void {
  if (!set) {
    process.stdout.write('no keys yet\n');
    return;
  }
  const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  const rows = summarise(set).map((key) => [
    key.kid,
    key.alg,
    key.state,
    time(key.createdAt),
    time(key.activatedAt),
    time(key.retiredAt ?? key.revokedAt),
  ]);
  const header = ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATED', 'RETIRED/REVOKED'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
  }
  process.stdout.write(`key set version ${set.version}\n`);
}

runCommand('keys', run);
