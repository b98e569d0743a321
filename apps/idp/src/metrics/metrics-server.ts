import { createServer, type Server } from 'node:http';
import type { Logger } from '../logger.js';

/** A registry, or with several workers the primary's view of all of theirs (cluster-primary.ts). */
export interface MetricsSource {
  metrics(): Promise<string>;
  contentType: string;
}

/**
 * GET /metrics on a port of its own (METRICS_PORT), never the public one: what the IdP counts
 * (clients, error rates) is for the operator's Prometheus, not for the internet. Anything but
 * GET /metrics is a 404.
 */
export async function startMetricsServer(
  registry: MetricsSource,
  options: { host: string; port: number; logger: Logger },
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        res.end(body);
      },
      (error: unknown) => {
        options.logger.warn('metrics.collect_failed', { error });
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return server;
}
