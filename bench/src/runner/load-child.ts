/**
 * The load generator: autocannon in a process of its own, so that its work is not counted in
 * the bench's or the server's. Answers each LoadConfig it receives over IPC with a LoadResult,
 * one run at a time; started once per case, so that its start-up is not paid per round.
 */
import autocannon from 'autocannon';
import { dpopProofs } from './dpop-proofs.js';
import type { LoadConfig, LoadResult } from './load-protocol.js';

/**
 * The run's own clock. autocannon ends a run only on its 1 s sampling tick, so a run that
 * stops after a fixed number of requests reports whole seconds (1,000 codes answered in
 * 2.1 s read as 3 s), and its `duration` holds the idle wait too. Measured here instead:
 * from the first request set up (or the run's start, for a fixed body) to the last answer.
 */
interface RunClock {
  firstRequest: number | undefined;
  lastResponse: number | undefined;
}

function requestOptions(config: LoadConfig, clock: RunClock): Partial<autocannon.Options> {
  const sent = (): void => {
    clock.firstRequest ??= performance.now();
  };
  if (config.dpop) {
    const proof = dpopProofs(config.dpop);
    return {
      requests: [
        {
          setupRequest: (request) => {
            sent();
            // A request built here carries only what is returned: body and headers both.
            return {
              ...request,
              ...(config.body !== undefined && { body: config.body }),
              headers: { ...config.headers, ...request.headers, dpop: proof() },
            };
          },
        },
      ],
    };
  }
  if (config.bodies) {
    const bodies = config.bodies;
    let next = 0;
    return {
      amount: bodies.length,
      requests: [
        {
          setupRequest: (request) => {
            sent();
            return { ...request, body: bodies[next++ % bodies.length] };
          },
        },
      ],
    };
  }
  if (config.refresh) {
    const available = [...config.refresh.tokens];
    const extra = config.refresh.extraBody;
    return {
      requests: [
        {
          setupRequest: (request) => {
            sent();
            return {
              ...request,
              // An empty pool means more requests in flight than tokens: the IdP refuses it.
              body: `grant_type=refresh_token&refresh_token=${available.pop() ?? 'none'}${extra}`,
            };
          },
          onResponse: (status, body) => {
            if (status !== 200) return;
            available.unshift((JSON.parse(body) as { refresh_token: string }).refresh_token);
          },
        },
      ],
    };
  }
  return config.body === undefined ? {} : { body: config.body };
}

let running: autocannon.Instance | undefined;

process.on('message', (config: LoadConfig) => {
  // A fixed body needs no per-request hook (which would make autocannon rebuild every
  // request): its clock starts with the run, connection set-up included.
  const clock: RunClock = {
    firstRequest: config.bodies || config.refresh || config.dpop ? undefined : performance.now(),
    lastResponse: undefined,
  };
  const cpuBefore = process.cpuUsage();
  running = autocannon(
    {
      url: config.url,
      method: config.method,
      headers: config.headers,
      connections: config.connections,
      duration: config.durationSec,
      timeout: 10,
      ...requestOptions(config, clock),
    },
    (error, result) => {
      running = undefined;
      if (error) {
        process.send?.({ error: String(error) });
        return;
      }
      const cpu = process.cpuUsage(cpuBefore);
      const ok = result[config.success ?? '2xx'];
      const { firstRequest, lastResponse } = clock;
      const durationSec =
        firstRequest !== undefined && lastResponse !== undefined && lastResponse > firstRequest
          ? (lastResponse - firstRequest) / 1000
          : result.duration;
      const reply: LoadResult = {
        rps: ok / durationSec,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        ok,
        non2xx: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'] - ok,
        errors: result.errors,
        timeouts: result.timeouts,
        durationSec,
        cpuMicros: cpu.user + cpu.system,
      };
      process.send?.(reply);
    },
  );
  running.on('response', () => {
    clock.lastResponse = performance.now();
  });
});
process.on('SIGTERM', () => {
  running?.stop();
  process.exit(0);
});
