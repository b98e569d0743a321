import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  SECEVENT_MEDIA_TYPE,
  signalRevocation,
  SSF_VERIFICATION,
  type SecurityEventClaims,
} from '@latchkey/protocol';
import {
  AudienceMismatchError,
  IssuerMismatchError,
  KeyNotFoundError,
  RevocationStaleError,
  SignalStreamError,
  SignatureInvalidError,
  TokenInvalidError,
  TokenRevokedError,
  VerificationUnavailableError,
} from '../errors.js';
import { resolveKeySetOptions } from '../jwks.js';
import { abortable } from '../lib/abortable.js';
import { createKeySource } from '../lib/key-source.js';
import { lagSeconds } from '../metrics/sdk-metrics.js';
import { createRevokedSet } from './revoked-set.js';
import type { RevocationSource } from './revocation-source.js';
import { createSetVerifier } from './set-verifier.js';
import { createSsfReceiver, type PollBody } from './ssf-receiver.js';
import { resolveSsfSourceOptions, type SsfRevocationSourceOptions } from './ssf-source-options.js';

export interface SsfRevocationSource extends RevocationSource {
  /**
   * Resolves once the stream has been drained for the first time (until then `check` throws
   * `RevocationStaleError`). Rejects with `SignalStreamError` when the IdP refuses the
   * receiver, or when the source is closed first; pass a `signal` to bound the wait.
   */
  ready(options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * RFC 8935 push endpoint (with the `push` option): give it the request's Content-Type,
   * Authorization header and body, answer with what it returns. 202 once the SET is applied;
   * 400 `{err, description}` for a SET refused (not retried by the IdP); 401 for a wrong
   * Authorization; 503 when the IdP's keys cannot be fetched yet (the IdP retries).
   */
  receivePush(request: PushRequest): Promise<PushAnswer>;
  /** Stops polling (and deletes the stream if the source created it). Idempotent. */
  close(): Promise<void>;
  readonly status: SsfRevocationSourceStatus;
}

export interface SsfRevocationSourceStatus {
  /** `starting`: not drained yet. `synced`: the last poll drained the stream. `retrying`. */
  state: 'starting' | 'synced' | 'retrying' | 'closed';
  /** Epoch ms up to which no event can have been missed; undefined before the first drain. */
  confirmedAt: number | undefined;
  stale: boolean;
  entries: number;
  streamId: string | undefined;
}

export interface PushRequest {
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface PushAnswer {
  status: number;
  /** JSON to send with the status (RFC 8935 §2.3 error), when any. */
  body?: { err: string; description: string };
}

/** RFC 8935 §2.2: a SET is a few hundred bytes; anything far larger is refused unread. */
const MAX_PUSH_BYTES = 64 * 1024;

type Outcome = 'applied' | { err: string; description: string } | 'retry';

const MAX_EVENTS = 100;

/**
 * The revoked set, kept in memory from the IdP's Shared Signals stream (SSF 1.0, CAEP 1.0)
 * by poll (RFC 8936) with long polling: no Redis. Each SET is verified, applied, and only
 * then acknowledged (in the next poll), so an event is never lost to a crash or a gap: an
 * unacknowledged one comes again. A poll that drains the stream confirms the state as of
 * when it was sent; `check` fails closed once that is older than `maxStalenessMs`.
 */
export function createSsfRevocationSource(
  options: SsfRevocationSourceOptions,
): SsfRevocationSource {
  const resolved = resolveSsfSourceOptions(options);
  const { maxStalenessMs, failOpen, now, logger, pollWaitMs, retentionMs, metrics } = resolved;
  const receiver = createSsfReceiver(resolved);
  const verifySet = createSetVerifier({
    issuer: resolved.issuer,
    audience: resolved.clientId,
    keys: createKeySource(resolved.issuer, new URL('jwks', resolved.idpUrl), {
      ...resolveKeySetOptions({ now, timeoutMs: resolved.requestTimeoutMs }),
      ...(metrics && { fetched: metrics.jwksFetch.bind(metrics) }),
    }),
  });
  const revoked = createRevokedSet();
  const stopping = new AbortController();

  let closed = false;
  let streamId = resolved.streamId;
  let createdStream = false;
  let synced = false;
  let confirmedAt: number | undefined;
  let reportedStale = false;
  let refusedBy: SignalStreamError | undefined;
  let snapshotLoaded = false;

  let resolveLoaded!: () => void;
  let rejectLoaded!: (error: Error) => void;
  const loaded = new Promise<void>((resolve, reject) => {
    resolveLoaded = resolve;
    rejectLoaded = reject;
  });
  loaded.catch(() => {}); // observed through ready()

  const isStale = (at: number): boolean =>
    confirmedAt === undefined || at - confirmedAt > maxStalenessMs;

  function confirm(at: number): void {
    confirmedAt = confirmedAt === undefined ? at : Math.max(confirmedAt, at);
    if (reportedStale) logger.info('revocation.recovered');
    reportedStale = false;
    refusedBy = undefined;
    synced = true;
    resolveLoaded();
  }

  // Push: the verification asked for last; its arrival proves the channel carries events.
  let verifying: { state: string; sentAt: number } | undefined;

  function apply(claims: SecurityEventClaims): void {
    const verification = claims.events[SSF_VERIFICATION];
    if (verification !== undefined) {
      if (verifying !== undefined && verification.state === verifying.state) {
        confirm(verifying.sentAt);
      }
      return;
    }
    const revocation = signalRevocation(claims, resolved.issuer);
    if (revocation === null) return; // verification, or nothing a verifier acts on
    const at = now();
    const expiresAt = at + retentionMs;
    if (revocation.kind === 'session') {
      revoked.apply({ kind: 'session', sid: revocation.sid, expiresAt }, at);
    } else if (revocation.reason === 'session-revoked' || resolved.credentialChange === 'revoke') {
      revoked.apply(
        { kind: 'subject', sub: revocation.sub, notBefore: revocation.at, expiresAt },
        at,
      );
    } else {
      return;
    }
    metrics?.revocationApplied('ssf', revocation.kind, lagSeconds(revocation.at * 1000, at));
  }

  async function handle(set: string): Promise<Outcome> {
    try {
      apply(await verifySet(set));
      return 'applied';
    } catch (error) {
      // The keys could not be fetched, or a key newer than our cached set: try again later.
      if (error instanceof VerificationUnavailableError || error instanceof KeyNotFoundError) {
        return 'retry';
      }
      if (!(error instanceof TokenInvalidError)) throw error;
      logger.warn('revocation.set_refused', { code: error.code });
      // RFC 8935 §2.3 error codes, which RFC 8936 setErrs carry back to the transmitter.
      const err =
        error instanceof IssuerMismatchError
          ? 'invalid_issuer'
          : error instanceof AudienceMismatchError
            ? 'invalid_audience'
            : error instanceof SignatureInvalidError
              ? 'invalid_key'
              : 'invalid_request';
      return { err, description: error.code };
    }
  }

  /**
   * The revoked set as the IdP holds it, read once the stream exists: a stream carries only
   * the events made after it began, so without this a restarted service would accept the
   * tokens of every session revoked before. Loaded before the first confirmation, so `check`
   * fails closed until both the set and the stream are in.
   */
  async function loadSnapshot(): Promise<void> {
    const snapshot = await receiver.revocations();
    const at = now();
    if (snapshot === null) {
      logger.warn('revocation.snapshot_unsupported', {
        detail:
          'the IdP does not serve /ssf/revocations: revocations made before this start are not known',
      });
    } else {
      for (const revocation of snapshot.revocations) revoked.apply(revocation, at);
      logger.info('revocation.snapshot_loaded', { entries: snapshot.revocations.length });
    }
    snapshotLoaded = true;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done);
    });
  }

  /**
   * Push: the IdP sends; this side only creates the stream and asks for a verification event
   * every `maxStalenessMs / 3`. Its arrival confirms the state as of the request: the channel
   * was carrying events then. (A push the IdP is still retrying is not seen by this; the
   * IdP's outbox keeps retrying it, and poll is the stricter choice.)
   */
  async function runPush(push: { endpointUrl: string; authorization: string }): Promise<void> {
    let failures = 0;
    while (!closed) {
      try {
        if (streamId === undefined) {
          streamId = await receiver.createStream(push);
          createdStream = true;
          logger.info('revocation.stream_created', { streamId });
        }
        if (!snapshotLoaded) await loadSnapshot();
        const state = randomBytes(16).toString('base64url');
        verifying = { state, sentAt: now() };
        await receiver.verify(streamId, state);
        failures = 0;
        await sleep(Math.max(10, maxStalenessMs / 3));
      } catch (error) {
        if (closed) return;
        failures += 1;
        noteFailure(error);
        await sleep(Math.min(maxStalenessMs / 4, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  function noteFailure(error: unknown): void {
    synced = false;
    if (error instanceof SignalStreamError) {
      refusedBy = error;
      if (confirmedAt === undefined) rejectLoaded(error);
    }
    logger.warn('revocation.stream_failed', {
      code: (error as { code?: unknown }).code,
      message: error instanceof Error ? error.message : String(error),
    });
  }

  async function run(): Promise<void> {
    let pending: Pick<PollBody, 'ack' | 'setErrs'> = { ack: [], setErrs: {} };
    let drained = false;
    let failures = 0;
    while (!closed) {
      try {
        if (streamId === undefined) {
          streamId = await receiver.createStream();
          createdStream = true;
          logger.info('revocation.stream_created', { streamId });
        }
        if (!snapshotLoaded) await loadSnapshot();
        const sentAt = now();
        const answer = await receiver.poll(
          streamId,
          {
            ...pending,
            maxEvents: MAX_EVENTS,
            // Until drained, answers come at once; afterwards the IdP holds the poll.
            returnImmediately: !drained,
            maxWaitMs: drained ? pollWaitMs : 0,
          },
          stopping.signal,
        );
        pending = { ack: [], setErrs: {} };
        let retry = false;
        for (const [jti, set] of Object.entries(answer.sets)) {
          const outcome = await handle(set);
          if (outcome === 'applied') pending.ack.push(jti);
          else if (outcome === 'retry') retry = true;
          else pending.setErrs[jti] = outcome;
        }
        failures = 0;
        drained = !answer.moreAvailable && !retry;
        // Every event queued before `sentAt` was in this answer or acknowledged already.
        if (drained) confirm(sentAt);
        else if (retry) await sleep(Math.min(1_000, maxStalenessMs / 4));
      } catch (error) {
        if (closed) return;
        failures += 1;
        drained = false;
        noteFailure(error);
        // Backs off, but retries well within the staleness bound so a recovery is seen soon.
        await sleep(Math.min(maxStalenessMs / 4, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  const sweeper = setInterval(
    () => {
      const at = now();
      revoked.sweep(at);
      if (!reportedStale && confirmedAt !== undefined && isStale(at)) {
        reportedStale = true;
        logger.warn('revocation.stale', { confirmedAt, failOpen });
      }
    },
    Math.max(10, maxStalenessMs / 4),
  );
  sweeper.unref();
  const running = resolved.push ? runPush(resolved.push) : run();
  const expectedAuthorization = resolved.push
    ? createHash('sha256').update(resolved.push.authorization).digest()
    : undefined;

  const unwatch = metrics?.watchRevocationSource('ssf', () => ({
    stale: isStale(now()),
    confirmedAt,
  }));

  return {
    check(claims) {
      const at = now();
      if (confirmedAt === undefined) {
        throw refusedBy ?? new RevocationStaleError('revocation state has not been loaded yet');
      }
      if (!failOpen && at - confirmedAt > maxStalenessMs) {
        throw new RevocationStaleError('revocation state is older than maxStalenessMs');
      }
      if (revoked.isRevoked(claims, at)) throw new TokenRevokedError('token has been revoked');
    },

    async receivePush({ contentType, authorization, body }) {
      if (expectedAuthorization === undefined || closed) return { status: 404 };
      // Compared as digests, in constant time: the header is the IdP's proof of who it is.
      const given = createHash('sha256')
        .update(authorization ?? '')
        .digest();
      if (authorization === undefined || !timingSafeEqual(given, expectedAuthorization)) {
        return {
          status: 401,
          body: { err: 'authentication_failed', description: 'wrong Authorization' },
        };
      }
      if (contentType?.split(';')[0]?.trim().toLowerCase() !== SECEVENT_MEDIA_TYPE) {
        return {
          status: 400,
          body: { err: 'invalid_request', description: `the body must be ${SECEVENT_MEDIA_TYPE}` },
        };
      }
      if (typeof body !== 'string' || body.length > MAX_PUSH_BYTES) {
        return { status: 400, body: { err: 'invalid_request', description: 'body too large' } };
      }
      const outcome = await handle(body.trim());
      if (outcome === 'applied') return { status: 202 };
      // The keys could not be fetched: a 5xx makes the IdP try again later.
      if (outcome === 'retry') return { status: 503 };
      return { status: 400, body: outcome };
    },

    ready({ signal } = {}) {
      if (closed) return Promise.reject(new RevocationStaleError('revocation source is closed'));
      return confirmedAt === undefined ? abortable(loaded, signal) : loaded;
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      unwatch?.();
      stopping.abort();
      rejectLoaded(new RevocationStaleError('revocation source closed before its first load'));
      await running;
      if (createdStream && streamId !== undefined) {
        await receiver.deleteStream(streamId).catch((error: unknown) => {
          logger.warn('revocation.stream_delete_failed', {
            message: error instanceof Error ? error.message : String(error),
          });
        });
      }
    },

    get status(): SsfRevocationSourceStatus {
      let state: SsfRevocationSourceStatus['state'] = 'retrying';
      if (closed) state = 'closed';
      else if (confirmedAt === undefined) state = 'starting';
      else if (synced) state = 'synced';
      return { state, confirmedAt, stale: isStale(now()), entries: revoked.size, streamId };
    },
  };
}
