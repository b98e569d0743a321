import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsListen } from '../config/config.js';
import type { Logger } from '../logger.js';
import { startMetricsServer } from '../metrics/metrics-server.js';

/**
 * IDP_WORKERS > 1: this process serves nothing itself. It forks the workers (each a whole
 * IdP on the shared port: Node's cluster hands each new connection to the next worker),
 * replaces one that dies, answers /metrics for all of them, and on SIGTERM lets each finish
 * its requests before it exits. Workers share nothing but Redis and the database, exactly
 * as separate instances behind a load balancer do, so nothing else has to know.
 */
export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** Given to every worker on top of this process's environment (see main.ts). */
  env: Record<string, string>;
  metrics: MetricsListen | null;
  /** After a SIGTERM, how long workers get before they are killed. Default 15 s. */
  shutdownTimeoutMs?: number;
}

/** A replacement that dies at start is tried again after this, doubling up to a minute. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger } = options;
  const ready = new Set<Worker>();
  let stopping = false;
  let started = false;
  let retryMs = FIRST_RETRY_MS;
  let metricsServer: Server | undefined;
  /** A worker that did not exit cleanly once asked to stop makes the whole exit non-zero. */
  let unclean = false;

  const fork = (): Worker => {
    const worker = cluster.fork(options.env);
    worker.once('listening', () => {
      ready.add(worker);
      retryMs = FIRST_RETRY_MS;
      if (!started && ready.size === options.workers) {
        started = true;
        logger.info('idp.workers_started', {
          workers: options.workers,
          pids: [...ready].map((each) => each.process.pid),
        });
      }
    });
    return worker;
  };

  // A declaration, so that a worker dying while the primary still starts can already call it.
  async function stop(reason: string, exitCode = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info('idp.stopping', {
      signal: reason,
      workers: Object.keys(cluster.workers ?? {}).length,
    });
    metricsServer?.close();
    const living = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exited = Promise.all(
      living.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            // Each worker drains its own requests (main.ts), as a single process does.
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    const deadline = setTimeout(() => {
      for (const worker of living) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, options.shutdownTimeoutMs ?? 15_000);
    await exited;
    clearTimeout(deadline);
    logger.info('idp.stopped');
    process.exit(unclean ? Math.max(exitCode, 1) : exitCode);
  }

  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker);
    if (stopping) {
      if (code !== 0) unclean = true;
      return;
    }
    if (!started) {
      // A worker that cannot start (a refused configuration, a database that does not answer)
      // would fail the same way again: stop, as one process would, and let the orchestrator see.
      logger.error('idp.worker_failed_to_start', { pid: worker.process.pid, code, signal });
      void stop('worker_failed_to_start', 1);
      return;
    }
    logger.error('idp.worker_exited', { pid: worker.process.pid, code, signal, wasReady });
    const delay = wasReady ? 0 : retryMs;
    if (!wasReady) retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  for (let i = 0; i < options.workers; i += 1) fork();

  if (options.metrics) {
    const aggregator = new AggregatorRegistry();
    metricsServer = await startMetricsServer(
      { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType },
      { ...options.metrics, logger },
    );
    logger.info('metrics.listening', {
      address: `http://${options.metrics.host}:${options.metrics.port}/metrics`,
      workers: options.workers,
    });
  }

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
