import type { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { encodeRevocationSnapshot, SSF_DELIVERY_POLL } from '@latchkey/protocol';
import type { OwnTokenDeps } from '../oauth/bearer/own-access-token.js';
import { readJson } from './json-body.js';
import { receiverAuth, type ReceiverState } from './koa-receiver-auth.js';
import { poll, type PollDeps } from './poll.js';
import { readPollRequest } from './poll-request.js';
import { ssfConfiguration } from './ssf-configuration.js';
import { StreamNotFoundError, StreamRequestError } from './ssf-errors.js';
import { readStreamId } from './stream-input.js';
import { describeStatus, describeStream, type StreamService } from './stream-service.js';

export interface SsfRouteDeps extends OwnTokenDeps {
  streams: StreamService;
  poll: Omit<PollDeps, 'now'>;
  /** The revoked set's members and their expiries, as the store holds them. */
  revokedSet: () => Promise<ReadonlyMap<string, number>>;
}

const receiverOf = (ctx: Context): string => (ctx.state as ReceiverState).receiver;

/** SSF §8.1: a query's stream_id, read once (a repeated one is refused). */
function queryStreamId(ctx: Context): string | undefined {
  const values = new URLSearchParams(ctx.querystring).getAll('stream_id');
  if (values.length > 1) throw new StreamRequestError('stream_id is given more than once');
  return values[0] === undefined ? undefined : readStreamId(values[0]);
}

function json(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

/**
 * The transmitter's HTTP side: its metadata, stream management (SSF 1.0 §8.1) and the poll
 * endpoint (RFC 8936). Every route but the metadata needs the receiver's access token.
 */
export function mountSsfRoutes(router: Router, deps: SsfRouteDeps, anyOrigin: Middleware): void {
  const { issuer } = deps.config;
  const { streams } = deps;
  const auth = receiverAuth(deps);
  const document = ssfConfiguration(issuer);
  router.get('/.well-known/ssf-configuration', anyOrigin, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = document;
  });

  router.post('/ssf/streams', auth, async (ctx) => {
    const stream = await streams.create(receiverOf(ctx), await readJson(ctx));
    json(ctx, 201, describeStream(stream, issuer));
  });
  router.get('/ssf/streams', auth, async (ctx) => {
    const streamId = queryStreamId(ctx);
    const receiver = receiverOf(ctx);
    // §8.1.1.2: without stream_id, every stream of this receiver.
    json(
      ctx,
      200,
      streamId === undefined
        ? (await streams.list(receiver)).map((stream) => describeStream(stream, issuer))
        : describeStream(await streams.read(receiver, streamId), issuer),
    );
  });
  router.patch('/ssf/streams', auth, async (ctx) => {
    const stream = await streams.update(receiverOf(ctx), await readJson(ctx), 'update');
    json(ctx, 200, describeStream(stream, issuer));
  });
  router.put('/ssf/streams', auth, async (ctx) => {
    const stream = await streams.update(receiverOf(ctx), await readJson(ctx), 'replace');
    json(ctx, 200, describeStream(stream, issuer));
  });
  router.delete('/ssf/streams', auth, async (ctx) => {
    const streamId = queryStreamId(ctx);
    if (streamId === undefined) throw new StreamRequestError('stream_id is required');
    await streams.remove(receiverOf(ctx), streamId);
    ctx.status = 204;
  });

  router.get('/ssf/status', auth, async (ctx) => {
    const streamId = queryStreamId(ctx);
    if (streamId === undefined) throw new StreamRequestError('stream_id is required');
    json(ctx, 200, describeStatus(await streams.read(receiverOf(ctx), streamId)));
  });
  router.post('/ssf/status', auth, async (ctx) => {
    json(ctx, 200, describeStatus(await streams.setStatus(receiverOf(ctx), await readJson(ctx))));
  });

  router.post('/ssf/subjects/add', auth, async (ctx) => {
    await streams.subject(receiverOf(ctx), await readJson(ctx), true);
    // SSF §8.1.3.2: 200 with no body (Koa would turn a null body into 204).
    ctx.status = 200;
    ctx.body = '';
  });
  router.post('/ssf/subjects/remove', auth, async (ctx) => {
    await streams.subject(receiverOf(ctx), await readJson(ctx), false);
    ctx.status = 204;
  });
  router.post('/ssf/verify', auth, async (ctx) => {
    await streams.verify(receiverOf(ctx), await readJson(ctx));
    ctx.status = 204;
  });

  // Latchkey's own: the revoked set as it stands, for a receiver that starts (or restarts) and
  // would otherwise know only the events made after its stream began (see the SDK's source).
  router.get('/ssf/revocations', auth, async (ctx) => {
    const at = deps.now();
    json(ctx, 200, encodeRevocationSnapshot(await deps.revokedSet(), at));
  });

  router.post('/ssf/poll/:streamId', auth, async (ctx) => {
    const stream = await streams.read(receiverOf(ctx), readPathStreamId(ctx.params.streamId));
    if (stream.deliveryMethod !== SSF_DELIVERY_POLL) throw new StreamNotFoundError();
    const request = readPollRequest(await readJson(ctx));
    // A receiver that hangs up ends its long poll: nothing is held for a closed connection.
    const abort = new AbortController();
    const onClose = (): void => abort.abort();
    ctx.res.once('close', onClose);
    try {
      json(ctx, 200, await poll({ ...deps.poll, now: deps.now }, stream, request, abort.signal));
    } finally {
      ctx.res.off('close', onClose);
    }
  });
}

function readPathStreamId(value: string | undefined): string {
  try {
    return readStreamId(value);
  } catch {
    throw new StreamNotFoundError();
  }
}
