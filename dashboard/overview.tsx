// Overview: counts by status for each queue, and jobs finished over the last 5 minutes by
// outcome (all queues or one), read from the record and reloaded as events arrive.
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

const FINISHED = graphql(`
  query DashboardFinished($since: DateTime!, $queue: String) {
    finishedOverTime(since: $since, bucketSeconds: 10, queue: $queue) { at completed failed cancelled }
  }
`);

const OUTCOMES = ['completed', 'failed', 'cancelled'] as const;

export function Overview() {
  const { data, error, reload } = useQuery(QUEUES, {}, 'overview');
  const [queue, setQueue] = useState<string>('');
  const [now, setNow] = useState(Date.now());
  // The chart's buckets are read from the record (finishedOverTime): the same after a
  // reload and on any instance. The window moves every bucket; events reload it sooner.
  const end = Math.floor(now / BUCKET_MS) * BUCKET_MS;
  const since = new Date(end - (BUCKETS - 1) * BUCKET_MS).toISOString();
  const finished = useQuery(FINISHED, { since, queue: queue || null }, `${since}|${queue}`);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents(() => {
    // Counts and the chart reload at most once a second, however many events arrive.
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      reload();
      finished.reload();
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
  const buckets = finished.data?.finishedOverTime ?? [];
  const series: Series = new Map(OUTCOMES.map((outcome) => [outcome, new Map(buckets.map((bucket) => [new Date(bucket.at).getTime(), bucket[outcome]]))]));
  const totals = OUTCOMES.map((outcome) => `${buckets.reduce((sum, bucket) => sum + bucket[outcome], 0)} ${outcome}`).join(', ');
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
      <Section title="Finished per 10 s, last 5 minutes" wide>
        <div class="row">
          <label>
            queue{' '}
            <select id="chartQueue" value={queue} onChange={(event) => setQueue(event.currentTarget.value)}>
              <option value="">all</option>
              {queues.map((each) => (
                <option key={each.name} value={each.name}>{each.name}</option>
              ))}
            </select>
          </label>
          <span id="chartTotals">{finished.data ? totals : 'loading…'}</span>
        </div>
        {finished.error && <p class="error">{finished.error}</p>}
        <Chart series={series} now={now} />
      </Section>
    </>
  );
}
