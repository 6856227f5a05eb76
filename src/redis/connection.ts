// The Redis connection of a process: one node (REDIS_URL) or a Redis Cluster
// (REDIS_CLUSTER_NODES). Everything else takes a RedisClient and does not care which:
// BullMQ accepts either, `duplicate` below gives another connection of the same kind, and
// every key and channel of the service starts with QUEUE_PREFIX, whose hash tag (required
// on a cluster, config.ts) keeps them in one slot, so BullMQ's scripts, our own, and
// pipelines over several keys stay legal there.
//
// Pub/sub (events, cancel signals) is Redis's classic kind: on a cluster a PUBLISH reaches
// subscribers on every node, and ioredis subscribes again after a failover. Sharded
// pub/sub would save the cluster bus that broadcast, but the hash tag puts every channel
// on one shard anyway, and Yoga's Redis event target speaks only PUBLISH/SUBSCRIBE.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';

export type RedisClient = Redis | Cluster;

/** What a connection may change in its copy (as ioredis names them). */
export type ConnectionOverrides = Pick<RedisOptions, 'maxRetriesPerRequest' | 'enableOfflineQueue'>;

// BullMQ needs maxRetriesPerRequest: null so a blocked worker waits out a Redis outage.
const COMMON: RedisOptions = { maxRetriesPerRequest: null };

export function connectRedis(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_TLS'>): RedisClient {
  if (config.REDIS_CLUSTER_NODES.length === 0) return new Redis(config.REDIS_URL, COMMON);
  const options: ClusterOptions = {
    redisOptions: {
      ...COMMON,
      ...(config.REDIS_USERNAME ? { username: config.REDIS_USERNAME } : {}),
      ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
      ...(config.REDIS_TLS ? { tls: {} } : {}),
    },
    // Commands wait (queued) while the cluster's slots are being found again after a failover.
    enableOfflineQueue: true,
  };
  const nodes = config.REDIS_CLUSTER_NODES.map((node) => ({ host: node.slice(0, node.lastIndexOf(':')), port: Number(node.slice(node.lastIndexOf(':') + 1)) }));
  return new Cluster(nodes, options);
}

/** Another connection like `client` (to the same node or cluster, with the same credentials), with `overrides`. */
export function duplicate(client: RedisClient, overrides: ConnectionOverrides = {}): RedisClient {
  if (client instanceof Cluster) {
    const { enableOfflineQueue, ...perNode } = overrides;
    return client.duplicate(undefined, {
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      redisOptions: { ...client.options.redisOptions, ...perNode },
    });
  }
  return client.duplicate(overrides);
}
