import { CAEP_SESSION_REVOKED, SSF_DELIVERY_POLL } from '@latchkey/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { loadConfig } from '../config/config.js';
import { silentLogger } from '../logger.js';
import { sharedTestDatabase } from '../test-support/test-database.js';
import { commandSignalTransmitter } from './command-transmitter.js';
import { insertStream, selectQueued } from './stream-queries.js';

let database: Database;
// In a hook: the embedded PostgreSQL may start here, which takes longer than a test's 5 s on
// a loaded 2-core machine (this test once timed out in CI that way).
beforeAll(async () => {
  database = await sharedTestDatabase();
});

describe('the transmitter of an operator command', () => {
  it('queues a session-revoked event in the IdP database for its running polls', async () => {
    const config = loadConfig({ ISSUER: 'https://idp.example', DATABASE_URL: 'pglite://memory' });
    const streamId = `cli-${Date.now()}`;
    await insertStream(database, {
      streamId,
      receiver: 'receiver-cli',
      deliveryMethod: SSF_DELIVERY_POLL,
      endpointUrl: null,
      authorizationHeader: null,
      eventsRequested: [CAEP_SESSION_REVOKED],
      description: null,
      status: 'enabled',
      statusReason: null,
      createdAt: new Date(),
    });
    const transmitter = commandSignalTransmitter(config, database, silentLogger);
    await transmitter.sessionEnded({
      scope: 'user',
      sub: 'u-cli',
      sids: [],
      reason: 'admin',
      at: Date.now(),
    });
    const [queued] = await selectQueued(database, streamId, 10);
    expect(queued?.claims).toMatchObject({
      iss: 'https://idp.example',
      aud: 'receiver-cli',
      sub_id: { format: 'iss_sub', sub: 'u-cli' },
      events: { [CAEP_SESSION_REVOKED]: { initiating_entity: 'admin' } },
    });
  });
});
