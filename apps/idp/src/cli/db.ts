import { loadConfig } from '../config/config.js';
import { describeDatabase } from '../config/database-url.js';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { openDatabase } from '../db/open-database.js';
import { runCommand } from './run-command.js';

const USAGE = 'usage: db migrate';

/**
 * The operator's database command, on the database named by DATABASE_URL. `migrate` applies
 * what the IdP would apply at start-up (safe beside running IdPs: they take the same lock),
 * for a deploy that migrates before it rolls the new version out.
 */
async function run(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'migrate') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const database = await openDatabase(config.database);
  try {
    const applied = await migrate(database, MIGRATIONS);
    const where = describeDatabase(config.database);
    process.stdout.write(
      applied.length === 0
        ? `${where}: up to date (${MIGRATIONS.length} migration(s))\n`
        : `${where}: applied ${applied.join(', ')}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

runCommand('db', run);
