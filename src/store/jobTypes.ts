// The statements on job_types: the types remote workers registered, per scope ('' for
// operators' workers, or a tenant).
import type { Db } from '../db/client.js';

export interface RemoteType {
  scope: string;
  name: string;
  description: string | null;
  payloadSchema: Record<string, unknown>;
  updatedAt: Date;
}

export async function remoteType(db: Db, scope: string, name: string): Promise<RemoteType | null> {
  const row = await db.jobType.findUnique({ where: { scope_name: { scope, name } } });
  return row ? { ...row, payloadSchema: row.payloadSchema as Record<string, unknown> } : null;
}

/** The types of these scopes, by name (every scope when `scopes` is null). */
export async function remoteTypes(db: Db, scopes: string[] | null): Promise<RemoteType[]> {
  const rows = await db.jobType.findMany({ where: scopes ? { scope: { in: scopes } } : {}, orderBy: [{ name: 'asc' }, { scope: 'asc' }] });
  return rows.map((row) => ({ ...row, payloadSchema: row.payloadSchema as Record<string, unknown> }));
}

/**
 * Records (or updates) what a worker registered; the latest registration of a name wins.
 * A scope keeps at most `keep` types: past it, those registered longest ago are forgotten
 * (jobs already submitted still run; new submits of them are refused until a worker
 * registers them again), so a worker inventing names cannot grow the table without end.
 */
export async function saveRemoteTypes(db: Db, scope: string, types: Omit<RemoteType, 'scope' | 'updatedAt'>[], by: string | null, keep: number): Promise<void> {
  const now = new Date();
  await db.$transaction([
    ...types.map((type) =>
      db.jobType.upsert({
        where: { scope_name: { scope, name: type.name } },
        create: { scope, name: type.name, description: type.description, payloadSchema: type.payloadSchema as object, registeredBy: by, updatedAt: now },
        update: { description: type.description, payloadSchema: type.payloadSchema as object, registeredBy: by, updatedAt: now },
      }),
    ),
    db.$executeRaw`
      DELETE FROM job_types WHERE scope = ${scope} AND name IN (
        SELECT name FROM job_types WHERE scope = ${scope} ORDER BY updated_at DESC, name OFFSET ${keep})`,
  ]);
}
