import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback relay between the IdP and the PostgreSQL server that counts the statements the
 * IdP sends, read off the wire (frontend protocol v3): each simple `Query` ('Q') and each
 * `Execute` ('E') of the extended protocol that node-postgres uses for parameterised queries.
 * BEGIN and COMMIT are statements too and are counted. Exact and immediate, unlike the
 * server's pg_stat_database counters (flushed up to 10 s late, per database, transactions
 * rather than statements) or pg_stat_statements (needs shared_preload_libraries).
 */
export interface PgStatementCounter {
  readonly port: number;
  /** Statements relayed so far, over every connection. */
  statements(): number;
  close(): Promise<void>;
}

/** SSLRequest and GSSENCRequest: an untyped message after which the startup comes again. */
const NEGOTIATION_CODES = new Set([80877103, 80877104]);

export async function startPgStatementCounter(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<PgStatementCounter> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const parse = frontendParser((type) => {
      if (type === 'Q' || type === 'E') count += 1;
    });
    client.on('data', (chunk: Buffer) => {
      parse(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    statements: () => count,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Splits a client's byte stream into messages: first the untyped startup (length, then body;
 * again after an SSL or GSS negotiation request), then typed messages (a type byte, a length
 * that counts itself, the body). Calls `onMessage` with each typed message's type.
 */
export function frontendParser(onMessage: (type: string) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (!started) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        const code = pending.readInt32BE(4);
        started = !NEGOTIATION_CODES.has(code);
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      onMessage(String.fromCharCode(pending[0]!));
      pending = pending.subarray(1 + length);
    }
  };
}
