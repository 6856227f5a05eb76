// Many subscriptions over raw graphql-ws sockets for load tests: messages are counted
// and their start read, never parsed whole, so the load's own clients cost little of
// the machine the service runs on.
import { WebSocket } from 'ws';

export interface RawSubscriptions {
  /** Messages received per operation id ("1", "2", ...), and the start of the last one. */
  readonly received: Map<string, { count: number; last: string }>;
  /** Error or complete messages, and closes, by operation id (or "close"). */
  readonly ended: Map<string, string>;
  close(): Promise<void>;
}

/** Opens `sockets` sockets with `perSocket` subscriptions of `query` each; resolves once all are acknowledged. */
export async function rawSubscriptions(url: string, authorization: string, query: string, variables: unknown, sockets: number, perSocket: number): Promise<RawSubscriptions> {
  const received = new Map<string, { count: number; last: string }>();
  const ended = new Map<string, string>();
  const opened = await Promise.all(
    Array.from({ length: sockets }, (_, socketIndex) => new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.on('error', reject);
      socket.on('close', (code) => ended.set(`close:${socketIndex}`, String(code)));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
      socket.on('message', (data) => {
        const head = data.toString('utf8', 0, 300);
        if (head.startsWith('{"type":"connection_ack"')) {
          for (let index = 0; index < perSocket; index++) socket.send(JSON.stringify({ id: `${socketIndex}:${index}`, type: 'subscribe', payload: { query, variables } }));
          resolve(socket);
          return;
        }
        const match = /^\{"id":"([^"]+)","type":"(\w+)"/.exec(head);
        if (!match) return;
        const [, id, type] = match as unknown as [string, string, string];
        if (type === 'next') {
          const entry = received.get(id) ?? { count: 0, last: '' };
          entry.count++;
          entry.last = head;
          received.set(id, entry);
        } else ended.set(id, head);
      });
    })),
  );
  return {
    received,
    ended,
    async close() {
      await Promise.all(opened.map((socket) => new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      })));
    },
  };
}
