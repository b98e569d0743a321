/**
 * oidc-provider on every core, as a deployment would run it on one machine: Node's `cluster`
 * module, WORKERS processes of oidc-provider-server.ts sharing one port (the primary accepts
 * and hands connections round-robin), its codes, grants and refresh tokens in Redis (the Map
 * adapter cannot be shared between processes), its keys made here once for all workers.
 *
 * Usage: node --import tsx oidc-provider-cluster.ts PORT REDIS_URL WORKERS. Says
 * { type: 'ready' } once every worker listens, and passes { type: 'mint-codes' } to the first
 * worker: the codes live in Redis, so whichever worker a connection reaches redeems them.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { makePeerKeys } from './peer-keys.js';
import { isPeerReady, type MintCodesRequest, type PeerReady } from './peer-protocol.js';

const [port, redisUrl, count] = process.argv.slice(2);
const workerCount = Number(count);
if (!port || !redisUrl || !Number.isInteger(workerCount) || workerCount < 1) {
  throw new TypeError('usage: oidc-provider-cluster.ts PORT REDIS_URL WORKERS');
}

cluster.setupPrimary({
  exec: fileURLToPath(new URL('./oidc-provider-server.ts', import.meta.url)),
  args: [port, redisUrl],
});
const env = { PEER_KEYS: JSON.stringify(makePeerKeys()) };
const workers: Worker[] = Array.from({ length: workerCount }, () => cluster.fork(env));

let ready = 0;
for (const worker of workers) {
  worker.on('message', (message: unknown) => {
    if (isPeerReady(message)) {
      ready += 1;
      if (ready === workerCount) process.send?.(message satisfies PeerReady);
      return;
    }
    // Minted codes, relayed to the bench as they came.
    process.send?.(message);
  });
}
// A worker that dies takes the bench's measurement with it: stop, so the case fails loudly.
cluster.on('exit', (worker, code) => {
  if (!stopping) {
    process.stderr.write(`oidc-provider worker ${worker.process.pid} exited (${code})\n`);
    stop(1);
  }
});

process.on('message', (message: MintCodesRequest) => {
  if (message.type === 'mint-codes') workers[0]!.send(message);
});

let stopping = false;
function stop(code: number): void {
  stopping = true;
  for (const worker of workers) worker.process.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
