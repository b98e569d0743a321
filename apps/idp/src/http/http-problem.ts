/**
 * What the HTTP floor needs to know of a failure to answer it, without knowing the layer that
 * raised it. Every error the IdP answers with JSON has the body RFC 6749 §5.2 gives
 * (`error`, `error_description`; the Contract asks it of every endpoint), so the problem
 * carries those two values besides the status and any extra headers. OAuth errors implement
 * it; the app gives the error handler a function that maps everything else it knows of
 * (store or keys unavailable) onto one, so that http/ imports nothing above it.
 */
export interface HttpProblem {
  readonly status: number;
  /**
   * Whether `description` may be sent. False: an internal failure, answered as a bare
   * `server_error` and logged, the way Koa's own errors use `expose`.
   */
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** The RFC 6749 `error` code. */
  readonly error: string;
  readonly description: string;
}

/** The app's knowledge of its own failures: a problem, or undefined for "not one of ours". */
export type DescribeProblem = (caught: unknown) => HttpProblem | undefined;

/** A problem the HTTP floor raises itself (routing answers, Koa's own client errors). */
export function httpProblem(status: number, error: string, description: string): HttpProblem {
  return { status, expose: true, headers: {}, error, description };
}
