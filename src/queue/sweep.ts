// Hands BullMQ every job PostgreSQL says is waiting (PENDING, SCHEDULED, RETRYING).
// BullMQ ignores job ids it already holds, so this is safe to repeat; it runs when a
// worker process starts and whenever its Redis connection comes back, which re-queues
// jobs stored while Redis was down and jobs that an emptied Redis forgot.
import type { Db } from '../db/client.js';
import { WAITING_STATUSES } from '../jobs/model.js';
import type { Logger } from '../logger.js';
import type { JobQueues } from './queues.js';

const PAGE = 1000;

export async function requeueWaiting(db: Db, queues: JobQueues, logger: Logger): Promise<number> {
  let after: string | undefined;
  let total = 0;
  for (;;) {
    const jobs = await db.job.findMany({
      where: { status: { in: [...WAITING_STATUSES] }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    if (jobs.length === 0) break;
    await queues.enqueue(jobs);
    total += jobs.length;
    after = jobs.at(-1)?.id;
  }
  if (total) logger.info({ jobs: total }, 'waiting jobs handed to the queue');
  return total;
}
