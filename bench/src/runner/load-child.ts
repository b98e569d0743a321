/**
 * The load generator: autocannon in a process of its own, so that its work is not counted in
 * the bench's or the server's. Answers each LoadConfig it receives over IPC with a LoadResult,
 * one run at a time; started once per case, so that its start-up is not paid per round.
 */
import autocannon from 'autocannon';
import type { LoadConfig, LoadResult } from './load-protocol.js';

function requestOptions(config: LoadConfig): Partial<autocannon.Options> {
  if (config.bodies) {
    const bodies = config.bodies;
    let next = 0;
    return {
      amount: bodies.length,
      requests: [
        { setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) },
      ],
    };
  }
  if (config.refresh) {
    const available = [...config.refresh.tokens];
    const extra = config.refresh.extraBody;
    return {
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            // An empty pool means more requests in flight than tokens: the IdP refuses it.
            body: `grant_type=refresh_token&refresh_token=${available.pop() ?? 'none'}${extra}`,
          }),
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
  running = autocannon(
    {
      url: config.url,
      method: config.method,
      headers: config.headers,
      connections: config.connections,
      duration: config.durationSec,
      timeout: 10,
      ...requestOptions(config),
    },
    (error, result) => {
      running = undefined;
      if (error) {
        process.send?.({ error: String(error) });
        return;
      }
      const ok = result[config.success ?? '2xx'];
      const durationSec = result.duration;
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
      };
      process.send?.(reply);
    },
  );
});
process.on('SIGTERM', () => {
  running?.stop();
  process.exit(0);
});
