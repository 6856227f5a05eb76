// The Prisma client over node-postgres (Prisma 7 driver adapter).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

export function createDb(connectionString: string, poolSize: number, onPoolError: (error: Error) => void): Db {
  return new PrismaClient({
    adapter: new PrismaPg(
      // A connection waiting for the pool gives up rather than hang while PostgreSQL is away.
      { connectionString, max: poolSize, connectionTimeoutMillis: 5000 },
      { onPoolError, onConnectionError: onPoolError },
    ),
  });
}
