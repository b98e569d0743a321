/**
 * Keeps `inFlight` requests going until `stop()` is called, `maxRequests` were sent or
 * `maxMs` passed, whichever comes first: load beside the requests a test is about, bounded
 * in count and in time however the test goes.
 */
export interface SteadyLoad<T> {
  /** Stops sending, waits for the requests in flight, and returns every answer. */
  stop(): Promise<T[]>;
  /** Waits for the count or the time to run out, and returns every answer. */
  finished(): Promise<T[]>;
}

export function startSteadyLoad<T>(
  send: (index: number) => Promise<T>,
  { inFlight, maxRequests, maxMs }: { inFlight: number; maxRequests: number; maxMs: number },
): SteadyLoad<T> {
  const answers: T[] = [];
  const deadline = Date.now() + maxMs;
  let sent = 0;
  let stopped = false;
  const lane = async () => {
    while (!stopped && sent < maxRequests && Date.now() < deadline) {
      answers.push(await send(sent++));
    }
  };
  const lanes = Promise.all(Array.from({ length: inFlight }, lane));
  return {
    async stop() {
      stopped = true;
      await lanes;
      return answers;
    },
    async finished() {
      await lanes;
      return answers;
    },
  };
}
