import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createLogger } from '../logger.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createClientRepository, type ClientRepository } from './client-repository.js';
import { importClients } from './import-clients.js';
import { parseClients } from './load-clients.js';

let db: Database;
let repository: ClientRepository;
beforeAll(async () => {
  db = await freshTestDatabase();
  repository = createClientRepository(db);
});
afterAll(() => db.close());

const file = (extra: Record<string, unknown> = {}) =>
  parseClients(
    [
      {
        client_id: 'imported',
        client_secret: 'imported-secret-long-enough',
        redirect_uris: ['https://imported.example/cb'],
        resources: ['https://api.example/'],
        ...extra,
      },
      {
        client_id: 'imported-machine',
        client_secret: 'machine-secret-long-enough',
        grant_types: ['client_credentials'],
        resources: ['https://api.example/'],
      },
    ],
    { production: false },
  );

describe('importing CLIENTS_FILE', () => {
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));

  it('creates the clients once; a second start changes nothing', async () => {
    expect(await importClients(repository, file(), logger)).toMatchObject({ created: 2 });
    const before = await repository.all();
    expect(await importClients(repository, file(), logger)).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 2,
    });
    expect(await repository.all()).toEqual(before);
  });

  it('applies an edit of the file to a client the file still owns', async () => {
    expect(await importClients(repository, file({ scope: 'edited' }), logger)).toMatchObject({
      updated: 1,
      unchanged: 1,
    });
    expect((await repository.find('imported'))?.scopes).toEqual(['edited']);
  });

  it("never undoes an operator's change through the API, and warns at each start", async () => {
    await repository.change('imported', (current) => ({ ...current, scopes: ['by-api'] }));
    lines.length = 0;
    expect(await importClients(repository, file({ scope: 'edited' }), logger)).toMatchObject({
      kept_api: 1,
    });
    expect((await repository.find('imported'))?.scopes).toEqual(['by-api']);
    expect(lines.join('\n')).toMatch(/"level":"warn".*clients\.file_entry_ignored.*"imported"/);
    expect(lines.join('\n')).not.toContain('imported-secret-long-enough');
  });

  it('never brings back a client deleted through the API', async () => {
    await repository.delete('imported-machine');
    lines.length = 0;
    expect(await importClients(repository, file(), logger)).toMatchObject({ kept_deleted: 1 });
    expect(await repository.find('imported-machine')).toBeNull();
    expect(lines.join('\n')).toMatch(/clients\.file_entry_ignored.*stays deleted/);
  });

  it('deletes a client the file no longer lists, and brings it back when listed again', async () => {
    const [onlyFirst] = file();
    lines.length = 0;
    expect(await importClients(repository, [onlyFirst!], logger)).toMatchObject({ dropped: 0 });
    // "imported" is the API's since an earlier test: never dropped by the file.
    expect(await repository.find('imported')).not.toBeNull();
    const extra = parseClients(
      [
        {
          client_id: 'file-only',
          client_secret: 'file-only-secret-long',
          grant_types: ['client_credentials'],
          resources: ['https://api.example/'],
        },
      ],
      { production: false },
    );
    await importClients(repository, [...file(), ...extra], logger);
    expect(await repository.find('file-only')).not.toBeNull();
    lines.length = 0;
    expect(await importClients(repository, file(), logger)).toMatchObject({ dropped: 1 });
    expect(await repository.find('file-only')).toBeNull();
    expect(lines.join('\n')).toMatch(/clients\.file_clients_dropped.*file-only/);
    expect(await importClients(repository, [...file(), ...extra], logger)).toMatchObject({
      created: 1,
    });
    expect(await repository.find('file-only')).not.toBeNull();
  });

  it('with dropUnlisted false (test IdPs sharing a database) keeps what the file omits', async () => {
    expect(await importClients(repository, [], logger, { dropUnlisted: false })).toMatchObject({
      dropped: 0,
    });
    expect(await repository.find('file-only')).not.toBeNull();
  });
});
