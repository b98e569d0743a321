import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP relay in front of a real server, for outages a test controls exactly: `shut`
 * drops every connection and refuses new ones (the client may reconnect only when the test
 * says), `blackhole` leaves current connections open but silently drops their bytes (a
 * half-open socket, as after a network partition) while new connections pass.
 */
export interface TcpGate {
  readonly port: number;
  shut(): void;
  open(): void;
  blackhole(): void;
  close(): Promise<void>;
}

interface Relay {
  client: Socket;
  upstream: Socket;
  dead: boolean;
}

export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  const relays = new Set<Relay>();
  let isOpen = true;

  const server = createServer((client) => {
    client.on('error', () => client.destroy());
    if (!isOpen) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    upstream.on('error', () => upstream.destroy());
    const relay: Relay = { client, upstream, dead: false };
    relays.add(relay);
    client.on('data', (chunk) => relay.dead || upstream.write(chunk));
    upstream.on('data', (chunk) => relay.dead || client.write(chunk));
    // One side gone means the relayed connection is gone, as a crash would look to the client.
    const end = (): void => {
      relays.delete(relay);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', () => relay.dead || end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const destroyAll = (): void => {
    for (const { client, upstream } of relays) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    port: (server.address() as AddressInfo).port,
    shut() {
      isOpen = false;
      destroyAll();
    },
    open() {
      isOpen = true;
    },
    blackhole() {
      for (const relay of relays) relay.dead = true;
    },
    close() {
      destroyAll();
      return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
