// A TCP proxy the test controls, to cut a service off (every connection dropped, new
// ones refused) and bring it back, without touching the service itself. In front of
// PostgreSQL it also counts the statements that pass (the Sync messages of the wire
// protocol, one per statement the pg driver runs).
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CutProxy {
  port: number;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  /** Statements clients sent through the proxy so far (PostgreSQL's extended protocol). */
  readonly statements: number;
  /** Connections refused while cut. */
  readonly refused: number;
  close(): Promise<void>;
}

/** Counts PostgreSQL Sync messages in one client's stream: a startup packet first, then typed messages. */
function syncCounter(onSync: () => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const header = started ? 5 : 4;
      if (pending.length < header) return;
      const length = started ? pending.readInt32BE(1) + 1 : pending.readInt32BE(0);
      if (pending.length < length) return;
      if (started && pending[0] === 0x53) onSync();
      started = true;
      pending = pending.subarray(length);
    }
  };
}

export async function startProxy(targetHost: string, targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  let statements = 0;
  let refused = 0;
  const server: Server = createServer((client) => {
    if (!open) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', syncCounter(() => statements++));
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    get statements() {
      return statements;
    },
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
