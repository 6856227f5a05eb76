// Starts the real service in-process for one test file: its own database (cloned from
// the migrated template), its own BullMQ prefix, an ephemeral port; tests talk to it
// over HTTP as any client would.
import { randomBytes } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import { Redis } from 'ioredis';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './db.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string[] } }[];
}

export interface TestApp {
  app: App;
  config: Config;
  url: string;
  database: string;
  gql<T, V>(document: TypedDocumentNode<T, V> | DocumentNode | string, variables?: V): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any GraphQL error and returns the data. */
  data<T, V>(document: TypedDocumentNode<T, V> | DocumentNode | string, variables?: V): Promise<T>;
  stop(): Promise<void>;
}

/** A database and a Redis key prefix that several instances (and processes) share. */
export interface SharedBackend {
  database: string;
  prefix: string;
  /** The variables every instance on this backend needs. */
  env: Record<string, string>;
  /** Drops the database and deletes the keys; call after every instance has stopped. */
  drop(): Promise<void>;
}

export async function createSharedBackend(): Promise<SharedBackend> {
  const database = await createTestDatabase();
  const prefix = `jgtest-${randomBytes(4).toString('hex')}`;
  return {
    database,
    prefix,
    env: { DATABASE_URL: databaseUrl(database), REDIS_URL, QUEUE_PREFIX: prefix },
    async drop() {
      await dropTestDatabase(database);
      await deleteKeys(`${prefix}:*`);
    },
  };
}

/** Starts the service in this process: on its own backend, or on `shared` when given. */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions = {}, shared?: SharedBackend): Promise<TestApp> {
  const backend = shared ?? (await createSharedBackend());
  const { database } = backend;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_POOL_SIZE: '5',
    DEFAULT_BACKOFF_DELAY_MS: '20',
    DEFAULT_BACKOFF_JITTER: 'NONE',
    SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...backend.env,
    ...env,
  });
  const app = await startApp(config, { logger: createLogger(config), ...options });
  const url = `http://127.0.0.1:${app.port}/graphql`;
  const gql: TestApp['gql'] = async (document, variables) => {
    const query = typeof document === 'string' ? document : print(document);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };
  return {
    app,
    config,
    url,
    database,
    gql,
    async data(document, variables) {
      const result = await gql(document, variables);
      if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    async stop() {
      await app.stop();
      if (!shared) await backend.drop();
    },
  };
}

async function deleteKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
