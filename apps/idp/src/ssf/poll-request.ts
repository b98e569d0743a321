import { StreamRequestError } from './ssf-errors.js';

/** A poll request (RFC 8936 §2.4), checked. `maxWaitMs` is Latchkey's own, optional member. */
export interface PollRequest {
  ack: string[];
  setErrs: Array<{ jti: string; err: string; description: string | undefined }>;
  maxEvents: number;
  returnImmediately: boolean;
  /**
   * How long the receiver would like the poll held at most (ms), under the transmitter's
   * SSF_POLL_WAIT_MAX: a receiver with a tight staleness bound asks for a short wait, so a
   * quiet stream still answers often enough to prove it is alive. RFC 8936 §2.4 lets the
   * transmitter choose the wait; unknown members are ignored by other transmitters.
   */
  maxWaitMs: number | undefined;
}

const MAX_IDS = 1000;
/** Default and ceiling of `maxEvents` when the receiver gives none or a larger one. */
export const DEFAULT_MAX_EVENTS = 100;
const JTI = /^[\x21-\x7E]{1,256}$/;

export function readPollRequest(body: unknown): PollRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StreamRequestError('the poll request must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const ack = fields.ack ?? [];
  if (
    !Array.isArray(ack) ||
    ack.length > MAX_IDS ||
    !ack.every((jti) => typeof jti === 'string' && JTI.test(jti))
  ) {
    throw new StreamRequestError(`ack must be an array of up to ${MAX_IDS} jti strings`);
  }
  const setErrs = readSetErrs(fields.setErrs ?? {});
  const maxEvents = fields.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (typeof maxEvents !== 'number' || !Number.isInteger(maxEvents) || maxEvents < 0) {
    throw new StreamRequestError('maxEvents must be a non-negative integer');
  }
  const returnImmediately = fields.returnImmediately ?? false;
  if (typeof returnImmediately !== 'boolean') {
    throw new StreamRequestError('returnImmediately must be a boolean');
  }
  const { maxWaitMs } = fields;
  if (
    maxWaitMs !== undefined &&
    (typeof maxWaitMs !== 'number' || !Number.isInteger(maxWaitMs) || maxWaitMs < 0)
  ) {
    throw new StreamRequestError('maxWaitMs must be a non-negative integer');
  }
  return {
    ack: [...new Set(ack as string[])],
    setErrs,
    maxEvents: Math.min(maxEvents, DEFAULT_MAX_EVENTS),
    returnImmediately,
    maxWaitMs,
  };
}

/** RFC 8936 §2.4.3: `{ jti: { err, description } }`, the SETs the receiver could not accept. */
function readSetErrs(value: unknown): PollRequest['setErrs'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StreamRequestError('setErrs must be an object keyed by jti');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_IDS) throw new StreamRequestError('setErrs has too many entries');
  return entries.map(([jti, error]) => {
    const { err, description } = (error ?? {}) as Record<string, unknown>;
    if (
      !JTI.test(jti) ||
      typeof err !== 'string' ||
      err.length > 64 ||
      (description !== undefined && (typeof description !== 'string' || description.length > 512))
    ) {
      throw new StreamRequestError('each setErrs entry must be { err, description? } under a jti');
    }
    return { jti, err, description };
  });
}
