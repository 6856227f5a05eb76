// Statements on the job tables that run often (every job's create, start and complete)
// go to the pool as named prepared statements: PostgreSQL parses and plans each once per
// connection instead of once per call, and the rows skip the Prisma client's query
// engine. On this path a Prisma raw query cost about 3x the client CPU of the same
// statement on the pool (measured: SELECT 1, 0.77 ms against 0.27 ms), and each job runs
// three of them. Everything else goes through Prisma.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

/** A statement with a name and a fixed text; `Row` is the shape of what it returns. */
export interface Statement<Row> {
  readonly name: string;
  readonly text: string;
  /** Only carries the row type. */
  readonly row?: Row;
}

export function statement<Row>(name: string, text: string): Statement<Row> {
  return { name: `jobgraph.${name}`, text };
}

/** Something that runs queries: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * deadlock_detected and serialization_failure: the statement was rolled back whole and
 * may simply run again (P2034 and TransactionWriteConflict are how Prisma reports them).
 */
const CONFLICT_CODES = new Set(['40P01', '40001', 'P2034', 'TransactionWriteConflict']);
/** Tries of a statement that keeps meeting conflicts before its error goes to the caller. */
const CONFLICT_TRIES = 4;

export function isConflict(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, kind, cause } = current as { code?: unknown; kind?: unknown; cause?: unknown };
    if (CONFLICT_CODES.has(code as string) || CONFLICT_CODES.has(kind as string)) return true;
    current = cause;
  }
  return false;
}

/**
 * Runs `attempt` again when PostgreSQL rolled it back for a conflict. Writers take their
 * locks in one order (store/changes.ts), so none should arise; this is the defence if
 * one ever does, after a short random wait so the two sides do not meet again.
 */
export async function retryConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error) || tries >= CONFLICT_TRIES) throw error;
      await sleep(5 + Math.random() * 20 * tries);
    }
  }
}

/** Runs a statement on the pool (its own transaction), again on a conflict. */
export async function run<Row>(pool: Queryable, { name, text }: Statement<Row>, values: unknown[]): Promise<Row[]> {
  const result = await retryConflicts(() => pool.query({ name, text, values }));
  return result.rows as Row[];
}

/** Runs a statement on a client inside a transaction: a conflict fails the whole transaction, which its caller retries. */
export async function runIn<Row>(client: pg.PoolClient, { name, text }: Statement<Row>, values: unknown[]): Promise<Row[]> {
  const result = await client.query({ name, text, values });
  return result.rows as Row[];
}

/**
 * Runs `work` in one READ COMMITTED transaction on one connection, committed if it
 * returns, rolled back if it throws; the whole transaction runs again on a conflict.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return retryConflicts(async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });
}
