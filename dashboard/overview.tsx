// Overview: counts by status for each queue, and throughput per queue, updating live.
import { useEffect, useRef, useState } from 'preact/hooks';
import { BUCKET_MS, BUCKETS, Chart, type Series } from './chart.js';
import { graphql } from './gql/index.js';
import type { DashboardOverviewQuery } from './gql/graphql.js';
import { useEvents, useQuery } from './hooks.js';
import { Link, Section, Table } from './ui.js';

const QUEUES = graphql(`
  query DashboardOverview { queues { name paused counts { pending scheduled blocked running retrying completed failed cancelled } } }
`);

type Counts = DashboardOverviewQuery['queues'][number]['counts'];

/** The columns, in the document's order (each a count it selects). */
const COUNTS = ['pending', 'scheduled', 'blocked', 'running', 'retrying', 'completed', 'failed', 'cancelled'] as const satisfies readonly Exclude<keyof Counts, '__typename'>[];

export function Overview() {
  const { data, error, reload } = useQuery(QUEUES, {}, 'overview');
  const [series, setSeries] = useState<Series>(new Map());
  const [now, setNow] = useState(Date.now());
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents((event) => {
    if (event.type === 'COMPLETED') {
      const bucket = Math.floor(new Date(event.createdAt).getTime() / BUCKET_MS) * BUCKET_MS;
      setSeries((previous) => {
        const next = new Map(previous);
        const counts = new Map(next.get(event.job.queue) ?? []);
        counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
        // Only the last BUCKETS buckets are kept: memory stays flat however long the page is open.
        for (const time of counts.keys()) if (time < bucket - BUCKETS * BUCKET_MS) counts.delete(time);
        next.set(event.job.queue, counts);
        return next;
      });
    }
    // Counts reload at most once a second, however many events arrive.
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 1000);
  });
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), BUCKET_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(pending.current);
    };
  }, []);
  const queues = data?.queues ?? [];
  const chartSeries = new Map(queues.map((queue) => [queue.name, series.get(queue.name) ?? new Map<number, number>()]));
  return (
    <>
      <Section title="Jobs by status" wide>
        {error && <p class="error">{error}</p>}
        <Table id="stats" head={['queue', ...COUNTS, 'paused']}>
          {queues.map((queue) => (
            <tr key={queue.name}>
              <td>
                <Link to={`/jobs?queue=${encodeURIComponent(queue.name)}`}>{queue.name}</Link>
              </td>
              {COUNTS.map((status) => (
                <td key={status}>{queue.counts[status]}</td>
              ))}
              <td>{queue.paused ? 'paused' : 'no'}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section title="Completed per 10 s, last 5 minutes" wide>
        <Chart series={chartSeries} now={now} />
      </Section>
    </>
  );
}
