import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loopbackServers } from './loopback-servers.js';

/** One POST a receiver saw: its path, headers and the logout token of its form body. */
export interface ReceivedLogout {
  path: string;
  contentType: string | undefined;
  token: string | null;
  at: number;
}

/**
 * A back-channel logout receiver on loopback. `answer` decides each status (default 200);
 * `hang` makes it never answer (a receiver that times out). Everything is recorded.
 */
export interface LogoutReceiver {
  url: string;
  received: ReceivedLogout[];
  answer: (path: string, count: number) => number | 'hang';
  close(): Promise<void>;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const servers = loopbackServers();
  const hanging: ServerResponse[] = [];
  const receiver: LogoutReceiver = {
    url: '',
    received: [],
    answer: () => 200,
    async close() {
      for (const res of hanging.splice(0)) res.destroy();
      await servers.closeAll();
    },
  };
  receiver.url = await servers.listen((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString();
      receiver.received.push({
        path,
        contentType: req.headers['content-type'],
        token: new URLSearchParams(body).get('logout_token'),
        at: Date.now(),
      });
      const count = receiver.received.filter((seen) => seen.path === path).length;
      const status = receiver.answer(path, count);
      if (status === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(status, {
        'cache-control': 'no-store',
        ...(status >= 300 && status < 400 && { location: `${receiver.url}/redirected` }),
      });
      res.end();
    });
  });
  return receiver;
}

const DEMO_CLIENTS = fileURLToPath(new URL('../../demo/clients.json', import.meta.url));

/**
 * The demo clients with their back-channel endpoints moved to `receiver` (`/shop`, `/wiki`);
 * the wiki also requires `sid` (backchannel_logout_session_required), to see both shapes.
 */
export async function backChannelClientsFile(
  receiver: string,
): Promise<{ file: string; remove: () => Promise<void> }> {
  const clients = JSON.parse(await readFile(DEMO_CLIENTS, 'utf8')) as Record<string, unknown>[];
  for (const client of clients) {
    if (client.client_id === 'shop') client.backchannel_logout_uri = `${receiver}/shop`;
    if (client.client_id === 'wiki') {
      client.backchannel_logout_uri = `${receiver}/wiki`;
      client.backchannel_logout_session_required = true;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-bcl-clients-'));
  const file = join(dir, 'clients.json');
  await writeFile(file, JSON.stringify(clients));
  return { file, remove: () => rm(dir, { recursive: true }) };
}
