// The database clients: one node-postgres pool, shared by the Prisma client (Prisma 7
// driver adapter) and by the store's hot statements, which run on the pool directly as
// named prepared statements (see store/statement.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

const pools = new WeakMap<Db, pg.Pool>();

export function createDb(connectionString: string, poolSize: number, onPoolError: (error: Error) => void): Db {
  // A connection waiting for the pool gives up rather than hang while PostgreSQL is away.
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: 5000 });
  // Listened to here, not by Prisma's adapter: the store's statements may open the pool's
  // first connections, and an idle connection's error with no listener would crash the process.
  pool.on('error', onPoolError);
  // disposeExternalPool: $disconnect ends the pool, so shutdown stays one call.
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { onConnectionError: onPoolError, disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The pool under a client made by createDb. */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('not a client made by createDb');
  return pool;
}
