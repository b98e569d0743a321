import type { IncomingMessage, ServerResponse } from 'node:http';
import { CAEP_SESSION_REVOKED, SSF_DELIVERY_PUSH } from '@latchkey/protocol';
import { waitFor } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../test-support/grants.js';
import { loopbackServers } from '../test-support/loopback-servers.js';
import {
  RECEIVER_A,
  receiverToken,
  ssfCall,
  startSsfTestIdp,
} from '../test-support/ssf-receivers.js';
import type { TestIdp } from '../test-support/test-idp.js';

interface Pushed {
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  set: string;
}

/** An RFC 8935 receiver on loopback: `answer` picks each status, everything is recorded. */
const servers = loopbackServers();
const pushed: Pushed[] = [];
let answer: (path: string, count: number) => number = () => 202;
let receiverUrl: string;

let idp: TestIdp;
let token: string;
beforeAll(async () => {
  receiverUrl = await servers.listen((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      pushed.push({
        path,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        set: Buffer.concat(chunks).toString(),
      });
      res.writeHead(answer(path, pushed.filter((seen) => seen.path === path).length));
      res.end();
    });
  });
  idp = await startSsfTestIdp({ DELIVERY_RETRY_INITIAL_DELAY: '100ms' }, undefined, {
    startDeliveries: true,
    deliveryTuning: { pollIntervalMs: 50, random: () => 0.5 },
  });
  token = await receiverToken(idp, RECEIVER_A);
});
afterAll(async () => {
  await idp?.close();
  await servers.closeAll();
});

async function pushStream(path: string): Promise<string> {
  const created = await ssfCall(idp, token, 'POST', '/ssf/streams', {
    delivery: {
      method: SSF_DELIVERY_PUSH,
      endpoint_url: `${receiverUrl}${path}`,
      authorization_header: 'Bearer receiver-own-secret',
    },
    events_requested: [CAEP_SESSION_REVOKED],
  });
  expect(created.status).toBe(201);
  expect(JSON.stringify(created.json)).not.toContain('receiver-own-secret');
  return (created.json as { stream_id: string }).stream_id;
}

const seenAt = (path: string): Pushed[] => pushed.filter((seen) => seen.path === path);

describe('push delivery (RFC 8935) through the delivery outbox', () => {
  it('POSTs each SET as application/secevent+jwt with the receiver’s Authorization header', async () => {
    await pushStream('/ok');
    const { session } = await signIn(idp, { username: 'mia' });
    await idp.revoker.revokeSession(session, 'logout');
    await waitFor('the push', () => seenAt('/ok').length === 1, { timeoutMs: 5_000 });
    const [first] = seenAt('/ok');
    expect(first!.contentType).toBe('application/secevent+jwt');
    expect(first!.authorization).toBe('Bearer receiver-own-secret');
    const header = JSON.parse(Buffer.from(first!.set.split('.')[0]!, 'base64url').toString()) as {
      typ: string;
    };
    expect(header.typ).toBe('secevent+jwt');
    const claims = JSON.parse(Buffer.from(first!.set.split('.')[1]!, 'base64url').toString()) as {
      sub_id: { session: { id: string } };
    };
    expect(claims.sub_id.session.id).toBe(session.sid);
  });

  it('a receiver failing with 500 gets the SET again until it answers 202, then no more', async () => {
    answer = (path, count) => (path === '/flaky' && count <= 2 ? 500 : 202);
    await pushStream('/flaky');
    const { session } = await signIn(idp, { username: 'ned' });
    await idp.revoker.revokeSession(session, 'logout');
    await waitFor('the third attempt', () => seenAt('/flaky').length === 3, { timeoutMs: 10_000 });
    const sets = new Set(seenAt('/flaky').map((seen) => seen.set.split('.')[1]));
    expect(sets.size).toBe(1); // the same claims each time (signed afresh)
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seenAt('/flaky')).toHaveLength(3);
  });

  it('a receiver answering 400 is not retried', async () => {
    answer = (path) => (path === '/refuses' ? 400 : 202);
    await pushStream('/refuses');
    const { session } = await signIn(idp, { username: 'ola' });
    await idp.revoker.revokeSession(session, 'logout');
    await waitFor('the attempt', () => seenAt('/refuses').length === 1, { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seenAt('/refuses')).toHaveLength(1);
  });

  it('a push stream is not polled', async () => {
    const streamId = await pushStream('/not-polled');
    const polled = await ssfCall(idp, token, 'POST', `/ssf/poll/${streamId}`, {
      returnImmediately: true,
    });
    expect(polled.status).toBe(404);
  });
});
