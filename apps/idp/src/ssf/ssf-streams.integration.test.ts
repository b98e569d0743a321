import {
  CAEP_CREDENTIAL_CHANGE,
  CAEP_SESSION_REVOKED,
  SSF_DELIVERY_POLL,
  SSF_DELIVERY_PUSH,
  SSF_VERIFICATION,
} from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, signIn } from '../test-support/grants.js';
import {
  NO_SCOPE,
  RECEIVER_A,
  RECEIVER_B,
  receiverToken,
  ssfCall,
  startSsfTestIdp,
} from '../test-support/ssf-receivers.js';
import type { TestIdp } from '../test-support/test-idp.js';
import { silentLogger } from '../logger.js';
import { createPollWaiters } from './poll-waiters.js';
import { createSignalTransmitter } from './transmitter.js';

let idp: TestIdp;
let tokenA: string;
let tokenB: string;
beforeAll(async () => {
  idp = await startSsfTestIdp();
  tokenA = await receiverToken(idp, RECEIVER_A);
  tokenB = await receiverToken(idp, RECEIVER_B);
});
afterAll(() => idp.close());

const EVENTS = [CAEP_SESSION_REVOKED, CAEP_CREDENTIAL_CHANGE];

async function createPollStream(token = tokenA): Promise<string> {
  const created = await ssfCall(idp, token, 'POST', '/ssf/streams', {
    delivery: { method: SSF_DELIVERY_POLL },
    events_requested: EVENTS,
  });
  expect(created.status).toBe(201);
  return (created.json as { stream_id: string }).stream_id;
}

interface Polled {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

async function pollStream(streamId: string, body: object = { returnImmediately: true }) {
  const answer = await ssfCall(idp, tokenA, 'POST', `/ssf/poll/${streamId}`, body);
  expect(answer.status).toBe(200);
  return answer.json as Polled;
}

interface SetClaims {
  iss: string;
  aud: string;
  jti: string;
  txn: string;
  iat: number;
  sub_id: { format: string; session?: { id: string }; user?: unknown; id?: string };
  events: Record<string, Record<string, unknown>>;
}

function decode(jwt: string): { header: Record<string, unknown>; claims: SetClaims } {
  const [header, payload] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
  };
}

describe('SSF transmitter metadata', () => {
  it('serves /.well-known/ssf-configuration with both delivery methods and every endpoint', async () => {
    const response = await fetch(`${idp.url}/.well-known/ssf-configuration`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      spec_version: '1_0',
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/jwks`,
      delivery_methods_supported: [SSF_DELIVERY_PUSH, SSF_DELIVERY_POLL],
      configuration_endpoint: `${ISSUER}/ssf/streams`,
      status_endpoint: `${ISSUER}/ssf/status`,
      add_subject_endpoint: `${ISSUER}/ssf/subjects/add`,
      remove_subject_endpoint: `${ISSUER}/ssf/subjects/remove`,
      verification_endpoint: `${ISSUER}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
  });
});

describe('stream management (SSF 1.0 §8.1)', () => {
  it('creates, reads, lists, updates, replaces and deletes a stream', async () => {
    const streamId = await createPollStream();
    const read = await ssfCall(idp, tokenA, 'GET', `/ssf/streams?stream_id=${streamId}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      stream_id: streamId,
      iss: ISSUER,
      aud: RECEIVER_A.id,
      events_requested: EVENTS,
      events_delivered: EVENTS,
      delivery: { method: SSF_DELIVERY_POLL, endpoint_url: `${ISSUER}/ssf/poll/${streamId}` },
    });
    const list = await ssfCall(idp, tokenA, 'GET', '/ssf/streams');
    expect((list.json as Array<{ stream_id: string }>).map((s) => s.stream_id)).toContain(streamId);

    const updated = await ssfCall(idp, tokenA, 'PATCH', '/ssf/streams', {
      stream_id: streamId,
      description: 'audit',
    });
    expect(updated.json).toMatchObject({ description: 'audit', events_requested: EVENTS });
    const replaced = await ssfCall(idp, tokenA, 'PUT', '/ssf/streams', {
      stream_id: streamId,
      delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'http://127.0.0.1:9/events' },
      events_requested: [CAEP_SESSION_REVOKED, 'urn:example:unknown'],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({
      events_delivered: [CAEP_SESSION_REVOKED],
      delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'http://127.0.0.1:9/events' },
    });
    expect(replaced.json).not.toHaveProperty('description');

    expect(
      (await ssfCall(idp, tokenA, 'DELETE', `/ssf/streams?stream_id=${streamId}`)).status,
    ).toBe(204);
    expect((await ssfCall(idp, tokenA, 'GET', `/ssf/streams?stream_id=${streamId}`)).status).toBe(
      404,
    );
  });

  it('reads and changes the status; a paused stream holds its events', async () => {
    const streamId = await createPollStream();
    const status = await ssfCall(idp, tokenA, 'GET', `/ssf/status?stream_id=${streamId}`);
    expect(status.json).toEqual({ stream_id: streamId, status: 'enabled' });
    const paused = await ssfCall(idp, tokenA, 'POST', '/ssf/status', {
      stream_id: streamId,
      status: 'paused',
      reason: 'maintenance',
    });
    expect(paused.json).toEqual({ stream_id: streamId, status: 'paused', reason: 'maintenance' });
    const { session } = await signIn(idp);
    await idp.revoker.revokeSession(session, 'logout');
    expect(Object.keys((await pollStream(streamId)).sets)).toHaveLength(0);
    await ssfCall(idp, tokenA, 'POST', '/ssf/status', { stream_id: streamId, status: 'enabled' });
    const sets = Object.values((await pollStream(streamId)).sets).map((set) => decode(set).claims);
    expect(sets.some((claims) => claims.sub_id.session?.id === session.sid)).toBe(true);
  });

  it('verification: the SET carries the state and the stream as an opaque subject', async () => {
    const streamId = await createPollStream();
    expect(
      (await ssfCall(idp, tokenA, 'POST', '/ssf/verify', { stream_id: streamId, state: 'abc' }))
        .status,
    ).toBe(204);
    const [set] = Object.values((await pollStream(streamId)).sets);
    const { header, claims } = decode(set!);
    expect(header.typ).toBe('secevent+jwt');
    expect(claims.sub_id).toEqual({ format: 'opaque', id: streamId });
    expect(claims.events).toEqual({ [SSF_VERIFICATION]: { state: 'abc' } });
  });

  it('a removed subject gets no events; adding it back restores them', async () => {
    const streamId = await createPollStream();
    const { user, session } = await signIn(idp, { username: 'carol' });
    const subject = { format: 'iss_sub', sub: user.id, iss: ISSUER };
    const removed = await ssfCall(idp, tokenA, 'POST', '/ssf/subjects/remove', {
      stream_id: streamId,
      subject,
    });
    expect(removed.status).toBe(204);
    await idp.revoker.revokeSession(session, 'logout');
    expect(Object.keys((await pollStream(streamId)).sets)).toHaveLength(0);
    const added = await ssfCall(idp, tokenA, 'POST', '/ssf/subjects/add', {
      stream_id: streamId,
      subject: { iss: ISSUER, sub: user.id, format: 'iss_sub' },
      verified: true,
    });
    expect(added.status).toBe(200);
    const again = await signIn(idp, { username: 'carol' });
    await idp.revoker.revokeSession(again.session, 'logout');
    expect(Object.keys((await pollStream(streamId)).sets)).toHaveLength(1);
  });
});

describe('SETs and poll delivery (RFC 8936)', () => {
  it('a logout becomes one session-revoked SET per the SSF profile: no sub, no exp, one event', async () => {
    const streamId = await createPollStream();
    const { user, session } = await signIn(idp, { username: 'dave' });
    await idp.revoker.revokeSession(session, 'logout');
    const { sets, moreAvailable } = await pollStream(streamId);
    expect(moreAvailable).toBe(false);
    const [[jti, set]] = Object.entries(sets) as [[string, string]];
    const { header, claims } = decode(set);
    expect(header).toMatchObject({ typ: 'secevent+jwt', alg: 'ES256' });
    expect(header.kid).toEqual(expect.any(String));
    expect(claims).toMatchObject({ iss: ISSUER, aud: RECEIVER_A.id, jti });
    expect(claims.txn).toEqual(expect.any(String));
    expect(claims.iat).toEqual(expect.any(Number));
    expect(claims).not.toHaveProperty('sub');
    expect(claims).not.toHaveProperty('exp');
    expect(claims.sub_id).toEqual({
      format: 'complex',
      user: { format: 'iss_sub', iss: ISSUER, sub: user.id },
      session: { format: 'opaque', id: session.sid },
    });
    expect(Object.keys(claims.events)).toEqual([CAEP_SESSION_REVOKED]);
    expect(claims.events[CAEP_SESSION_REVOKED]).toMatchObject({ initiating_entity: 'user' });
  });

  it('an unacknowledged SET comes again; an acknowledged one does not', async () => {
    const streamId = await createPollStream();
    const { session } = await signIn(idp, { username: 'erin' });
    await idp.revoker.revokeSession(session, 'admin');
    const first = Object.keys((await pollStream(streamId)).sets);
    expect(first).toHaveLength(1);
    expect(Object.keys((await pollStream(streamId)).sets)).toEqual(first);
    const acked = await pollStream(streamId, { ack: first, returnImmediately: true });
    expect(acked.sets).toEqual({});
  });

  it('maxEvents limits the answer and moreAvailable says so', async () => {
    const streamId = await createPollStream();
    for (const username of ['fay', 'gus', 'hal']) {
      const { session } = await signIn(idp, { username });
      await idp.revoker.revokeSession(session, 'logout');
    }
    const page = await pollStream(streamId, { maxEvents: 2, returnImmediately: true });
    expect(Object.keys(page.sets)).toHaveLength(2);
    expect(page.moreAvailable).toBe(true);
    const rest = await pollStream(streamId, {
      ack: Object.keys(page.sets),
      returnImmediately: true,
    });
    expect(Object.keys(rest.sets)).toHaveLength(1);
    expect(rest.moreAvailable).toBe(false);
  });

  it('a long poll is answered as soon as an event is queued', async () => {
    const streamId = await createPollStream();
    const held = pollStream(streamId, { maxWaitMs: 20_000 });
    const { session } = await signIn(idp, { username: 'ivy' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await idp.revoker.revokeSession(session, 'logout');
    const { sets } = await held;
    expect(Object.values(sets).map((set) => decode(set).claims.sub_id.session?.id)).toEqual([
      session.sid,
    ]);
  });

  it('a long poll with nothing queued ends empty when its wait is over', async () => {
    const streamId = await createPollStream();
    expect(await pollStream(streamId, { maxWaitMs: 100 })).toEqual({
      sets: {},
      moreAvailable: false,
    });
  });

  it('"log out everywhere" is one session-revoked about the user; a password change adds credential-change', async () => {
    const streamId = await createPollStream();
    const { user } = await signIn(idp, { username: 'jan' });
    await idp.accounts.setPassword(user.id, 'correct horse battery staple 42', {
      allowDisabled: true,
    });
    const events = Object.values((await pollStream(streamId)).sets).map(
      (set) => decode(set).claims,
    );
    const types = events.map((claims) => Object.keys(claims.events)[0]);
    expect(types).toContain(CAEP_CREDENTIAL_CHANGE);
    const change = events.find((claims) => claims.events[CAEP_CREDENTIAL_CHANGE])!;
    expect(change.sub_id).toEqual({ format: 'iss_sub', iss: ISSUER, sub: user.id });
    expect(change.events[CAEP_CREDENTIAL_CHANGE]).toMatchObject({
      credential_type: 'password',
      change_type: 'update',
    });
    await pollStream(streamId, { ack: events.map((claims) => claims.jti), maxEvents: 0 });
    await idp.revoker.revokeUser(user.id, 'admin');
    const everywhere = Object.values((await pollStream(streamId)).sets).map(
      (set) => decode(set).claims,
    );
    expect(everywhere).toHaveLength(1);
    expect(everywhere[0]!.sub_id).toEqual({ format: 'iss_sub', iss: ISSUER, sub: user.id });
    expect(Object.keys(everywhere[0]!.events)).toEqual([CAEP_SESSION_REVOKED]);
  });

  it('credentialChanged: the door for second-factor changes', async () => {
    const streamId = await createPollStream();
    await idp.signals.transmitter.credentialChanged({ sub: 'u-mfa', kind: 'second_factor' });
    const [set] = Object.values((await pollStream(streamId)).sets);
    expect(decode(set!).claims.events[CAEP_CREDENTIAL_CHANGE]).toMatchObject({
      credential_type: 'app',
      change_type: 'create',
    });
  });
});

describe('bad input', () => {
  it('stream API without the ssf.manage scope: 403 insufficient_scope', async () => {
    const token = await receiverToken(idp, NO_SCOPE);
    const answer = await ssfCall(idp, token, 'POST', '/ssf/streams', { events_requested: EVENTS });
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ error: 'insufficient_scope' });
  });

  it('stream API without a token or with a user token: 401 invalid_token', async () => {
    const bare = await fetch(`${idp.url}/ssf/streams`);
    expect(bare.status).toBe(401);
    expect(await ssfCall(idp, 'not-a-token', 'GET', '/ssf/streams')).toMatchObject({
      status: 401,
      json: { error: 'invalid_token' },
    });
  });

  it("another receiver's stream: 404 for every operation, and it is unchanged", async () => {
    const streamId = await createPollStream(tokenA);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/ssf/streams?stream_id=${streamId}`],
      ['PATCH', '/ssf/streams', { stream_id: streamId, description: 'mine now' }],
      ['PUT', '/ssf/streams', { stream_id: streamId }],
      ['DELETE', `/ssf/streams?stream_id=${streamId}`],
      ['GET', `/ssf/status?stream_id=${streamId}`],
      ['POST', '/ssf/status', { stream_id: streamId, status: 'disabled' }],
      [
        'POST',
        '/ssf/subjects/remove',
        { stream_id: streamId, subject: { format: 'opaque', id: 'x' } },
      ],
      ['POST', '/ssf/verify', { stream_id: streamId }],
      ['POST', `/ssf/poll/${streamId}`, { returnImmediately: true }],
    ];
    for (const [method, path, body] of calls) {
      const answer = await ssfCall(idp, tokenB, method, path, body);
      expect([method, path, answer.status]).toEqual([method, path, 404]);
      expect(answer.json).toMatchObject({ error: 'not_found' });
    }
    const mine = await ssfCall(idp, tokenA, 'GET', `/ssf/status?stream_id=${streamId}`);
    expect(mine.json).toEqual({ stream_id: streamId, status: 'enabled' });
    const list = (await ssfCall(idp, tokenB, 'GET', '/ssf/streams')).json as unknown[];
    expect(list.map((s) => (s as { stream_id: string }).stream_id)).not.toContain(streamId);
  });

  it('push endpoint that is not https (and not loopback): 400', async () => {
    const answer = await ssfCall(idp, tokenA, 'POST', '/ssf/streams', {
      delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'http://receiver.example/events' },
    });
    expect(answer).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
  });

  it('malformed JSON, a non-object body, another media type: 400 invalid_request', async () => {
    for (const body of ['{"events_requested": [', '[1,2]', '"text"']) {
      const answer = await ssfCall(idp, tokenA, 'POST', '/ssf/streams', body);
      expect(answer).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    }
    const form = await fetch(`${idp.url}/ssf/streams`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokenA}` },
      body: new URLSearchParams({ events_requested: 'x' }),
    });
    expect(form.status).toBe(400);
    const huge = await ssfCall(
      idp,
      tokenA,
      'POST',
      '/ssf/streams',
      JSON.stringify({ description: 'x'.repeat(100_000) }),
    );
    expect(huge.status).toBe(413);
  });

  it('mistyped members: 400, never a 500', async () => {
    const bodies = [
      { events_requested: 'not-an-array' },
      { delivery: 'poll' },
      { delivery: { method: 'urn:example:carrier-pigeon' } },
      { delivery: { method: SSF_DELIVERY_POLL, endpoint_url: 'https://x.example' } },
      { description: 42 },
    ];
    for (const body of bodies) {
      expect((await ssfCall(idp, tokenA, 'POST', '/ssf/streams', body)).status).toBe(400);
    }
    const streamId = await createPollStream();
    expect(
      (await ssfCall(idp, tokenA, 'POST', '/ssf/status', { stream_id: streamId, status: 'off' }))
        .status,
    ).toBe(400);
    expect(
      (
        await ssfCall(idp, tokenA, 'POST', '/ssf/subjects/add', {
          stream_id: streamId,
          subject: 'alice',
        })
      ).status,
    ).toBe(400);
  });

  it('unknown stream id: 404 not_found; a malformed one: 400', async () => {
    for (const [method, path, body] of [
      ['GET', '/ssf/streams?stream_id=unknown-stream'],
      ['GET', '/ssf/status?stream_id=unknown-stream'],
      ['PATCH', '/ssf/streams', { stream_id: 'unknown-stream' }],
      ['POST', '/ssf/verify', { stream_id: 'unknown-stream' }],
      ['POST', '/ssf/poll/unknown-stream', {}],
    ] as Array<[string, string, unknown?]>) {
      expect((await ssfCall(idp, tokenA, method, path, body)).status).toBe(404);
    }
    expect((await ssfCall(idp, tokenA, 'GET', '/ssf/streams?stream_id=%00%01')).status).toBe(400);
    expect((await ssfCall(idp, tokenA, 'PATCH', '/ssf/streams', { stream_id: 7 })).status).toBe(
      400,
    );
  });

  it('poll with bad ack ids: malformed is 400 and removes nothing; unknown ones are ignored', async () => {
    const streamId = await createPollStream();
    const { session } = await signIn(idp, { username: 'kim' });
    await idp.revoker.revokeSession(session, 'logout');
    for (const body of [
      { ack: 'one' },
      { ack: [1, 2] },
      { ack: [''] },
      { ack: ['x'.repeat(300)] },
      { ack: Array.from({ length: 1001 }, (_, i) => `j${i}`) },
      { setErrs: ['x'] },
      { setErrs: { j1: { description: 'no err' } } },
      { maxEvents: -1 },
      { returnImmediately: 'yes' },
    ]) {
      const answer = await ssfCall(idp, tokenA, 'POST', `/ssf/poll/${streamId}`, body);
      expect([body, answer.status]).toEqual([body, 400]);
    }
    const unknown = await pollStream(streamId, {
      ack: ['never-sent', 'also-unknown'],
      returnImmediately: true,
    });
    expect(Object.keys(unknown.sets)).toHaveLength(1);
  });

  it('setErrs removes the refused SET (it is not sent again)', async () => {
    const streamId = await createPollStream();
    const { session } = await signIn(idp, { username: 'lea' });
    await idp.revoker.revokeSession(session, 'logout');
    const [jti] = Object.keys((await pollStream(streamId)).sets);
    const after = await pollStream(streamId, {
      setErrs: { [jti!]: { err: 'invalid_key', description: 'no key' } },
      returnImmediately: true,
    });
    expect(after.sets).toEqual({});
  });
});

describe('retention', () => {
  it('events older than SSF_EVENT_RETENTION are dropped on the way', async () => {
    const streamId = await createPollStream();
    const { session } = await signIn(idp, { username: 'pat' });
    await idp.revoker.revokeSession(session, 'logout');
    await idp.database.query(
      `UPDATE ssf_events SET created_at = created_at - interval '8 days' WHERE stream_id = $1`,
      [streamId],
    );
    // A second IdP instance's transmitter (a fresh purge clock) queues something: the old go.
    const other = createSignalTransmitter({
      issuer: ISSUER,
      database: idp.database,
      logger: silentLogger,
      waiters: createPollWaiters(),
      now: Date.now,
      eventRetentionMs: idp.config.ssf.eventRetentionMs,
    });
    await other.credentialChanged({ sub: 'u-retention', kind: 'password' });
    const left = Object.values((await pollStream(streamId)).sets).map((set) => decode(set).claims);
    expect(left.map((claims) => Object.keys(claims.events)[0])).toEqual([CAEP_CREDENTIAL_CHANGE]);
  });
});
