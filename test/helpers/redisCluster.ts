// A Redis Cluster of the test's own: three masters (no replicas) on spare ports, made
// with `redis-cli --cluster create` as an operator would. A master can be killed and
// started again: it comes back empty (nothing is persisted) but keeps its slots, since
// its nodes.conf stays.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';

const run = promisify(execFile);

async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(port: number, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
}

export interface OwnCluster {
  /** `host:port,...`: REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  /** The port of the master holding `key`'s slot. */
  masterOf(key: string): Promise<number>;
  /** SIGKILL of one master: what it held is gone. */
  kill(port: number): Promise<void>;
  /** Starts a killed master again (empty, with its slots). */
  start(port: number): Promise<void>;
  /** Waits until every slot is served again (cluster_state:ok on every node). */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'jobgraph-cluster-'));
  const ports = [await sparePort(), await sparePort(), await sparePort()];
  const children = new Map<number, ChildProcess>();
  const start = async (port: number) => {
    children.set(port, spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000', '--dir', dir,
    ], { stdio: 'ignore' }));
    await answers(port);
  };
  const healthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(ports.map(async (port) => {
        const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          return String(await client.cluster('INFO')).includes('cluster_state:ok');
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`the cluster on ${ports.join(', ')} did not come back`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  for (const port of ports) await start(port);
  await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
  await healthy();
  const kill = async (port: number) => {
    const child = children.get(port);
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    ports,
    async masterOf(key: string) {
      const cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
      try {
        await cluster.ping();
        const slot = Number(await cluster.cluster('KEYSLOT', key));
        const shards = (await cluster.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
        const owner = shards.find(([from, to]) => slot >= from && slot <= to);
        if (!owner) throw new Error(`no master holds slot ${slot}`);
        return owner[2][1];
      } finally {
        cluster.disconnect();
      }
    },
    kill,
    start,
    healthy,
    async stop() {
      for (const port of ports) await kill(port);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
