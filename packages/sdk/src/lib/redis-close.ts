import type { Cluster, Redis } from 'ioredis';

const CLOSE_WAIT_MS = 2_000;

/**
 * Disconnects for good and resolves once the client has let go of its socket (or had none),
 * so that a closed source holds nothing that keeps the process alive. Bounded: ioredis emits
 * no 'end' when it is disconnected between two reconnect attempts.
 */
export async function closeRedis(client: Redis | Cluster): Promise<void> {
  const hasSocket = ['connecting', 'connect', 'ready'].includes(client.status);
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', resolve);
    timer = setTimeout(resolve, CLOSE_WAIT_MS).unref();
  });
  client.disconnect();
  if (hasSocket && client.status !== 'end') await ended;
  clearTimeout(timer);
}
