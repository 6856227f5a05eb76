// Queues: what waits and how long, what finished in the last minute, pause and resume,
// and limits across all workers in plain units (admin only). Read again as jobs change.
import type { UserError } from '@jobgraph/client';
import { can, checked, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useEvents, useQuery } from './hooks.js';
import { Confirm, Section, Table } from './ui.js';

const QUEUES = graphql(`
  query DashboardQueues { queues { name paused concurrency rateLimit { max durationMs } counts { pending running } waitingSince finishedLastMinute } }
`);

/** Pause or resume a queue: each its own document, both answering as `payload`. */
const PAUSED = {
  pause: graphql(`
    mutation DashboardPauseQueue($name: String!) { payload: pauseQueue(name: $name) { userErrors { code field message } } }
  `),
  resume: graphql(`
    mutation DashboardResumeQueue($name: String!) { payload: resumeQueue(name: $name) { userErrors { code field message } } }
  `),
};

const LIMITS = graphql(`
  mutation DashboardUpdateQueue($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { code field message } } }
`);

/** Rate-limit periods offered, in ms. */
const PERIODS: [number, string][] = [
  [1000, 'second'],
  [60_000, 'minute'],
  [3_600_000, 'hour'],
];

/** A rate limit in words: "10 jobs per second"; a period not offered here in ms. */
export function rateInWords(rate: { max: number; durationMs: number }): string {
  const unit = PERIODS.find(([ms]) => ms === rate.durationMs)?.[1];
  return `${rate.max} job${rate.max === 1 ? '' : 's'} per ${unit ?? `${rate.durationMs} ms`}`;
}

/** How long ago, roughly: "4 s", "12 min", "3 h". */
function age(since: string | null | undefined, now: number): string {
  if (!since) return '';
  const seconds = Math.max(0, Math.round((now - new Date(since).getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export function Queues({ viewer, onError }: { viewer: Viewer | null; onError: (message: string | null) => void }) {
  const { data, error, reload } = useQuery(QUEUES, {}, 'queues');
  const [now, setNow] = useState(Date.now());
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents(() => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      setNow(Date.now());
      reload();
    }, 1000);
  });
  useEffect(() => {
    // Ages grow with nothing happening too.
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => {
      clearInterval(timer);
      clearTimeout(pending.current);
    };
  }, []);
  const admin = can(viewer, 'admin');
  const run = async (mutate: () => Promise<{ userErrors: UserError[] }>) => {
    onError(null);
    try {
      checked(await mutate());
      reload();
    } catch (failure) {
      onError(describe(failure));
    }
  };
  const setPaused = (name: string, paused: boolean) => run(async () => (await gql(PAUSED[paused ? 'pause' : 'resume'], { name })).payload);
  return (
    <Section title="Queues" wide>
      {error && <p class="error">{error}</p>}
      <Table id="queues" head={['queue', 'state', 'pending', 'oldest waiting', 'running', 'finished / min', 'at most running (all workers)', 'rate limit', ...(admin ? ['', 'limits'] : [])]}>
        {(data?.queues ?? []).map((queue) => (
          <tr key={queue.name}>
            <td>{queue.name}</td>
            <td class={queue.paused ? 'status FAILED' : 'status COMPLETED'}>{queue.paused ? 'paused' : 'running'}</td>
            <td>{queue.counts.pending}</td>
            <td class="age">{age(queue.waitingSince, now)}</td>
            <td>{queue.counts.running}</td>
            <td class="finished">{queue.finishedLastMinute}</td>
            <td>{queue.concurrency ?? 'per worker only'}</td>
            <td class="rate">{queue.rateLimit ? rateInWords(queue.rateLimit) : 'none'}</td>
            {admin && (
              <>
                <td>
                  {queue.paused ? (
                    <button class="resume" onClick={() => void setPaused(queue.name, false)}>Resume</button>
                  ) : (
                    <Confirm label="Pause" question={`Pause queue ${queue.name}? No job of it starts until it is resumed.`} action={() => void setPaused(queue.name, true)} />
                  )}
                </td>
                <td>
                  <form
                    class="row limits"
                    onSubmit={(event) => {
                      event.preventDefault();
                      const form = new FormData(event.currentTarget);
                      const number = (name: string) => (form.get(name) ? Number(form.get(name)) : null);
                      const max = number('max');
                      const input = { concurrency: number('concurrency'), rateLimit: max === null ? null : { max, durationMs: number('per') ?? 1000 } };
                      void run(async () => (await gql(LIMITS, { name: queue.name, input })).updateQueue);
                    }}
                  >
                    <label class="inline">
                      at most <input name="concurrency" type="number" min="1" placeholder="any" aria-label={`jobs of ${queue.name} running at once`} defaultValue={queue.concurrency?.toString() ?? ''} /> running,
                    </label>
                    <label class="inline">
                      <input name="max" type="number" min="1" placeholder="any" aria-label={`jobs of ${queue.name} started per period`} defaultValue={queue.rateLimit?.max.toString() ?? ''} /> jobs per
                      <select name="per" aria-label={`rate limit period of ${queue.name}`} defaultValue={String(queue.rateLimit?.durationMs ?? 1000)}>
                        {[...PERIODS, ...(queue.rateLimit && !PERIODS.some(([ms]) => ms === queue.rateLimit?.durationMs) ? [[queue.rateLimit.durationMs, `${queue.rateLimit.durationMs} ms`] as [number, string]] : [])].map(([ms, label]) => (
                          <option key={ms} value={String(ms)}>{label}</option>
                        ))}
                      </select>
                    </label>
                    <button type="submit">Set</button>
                  </form>
                </td>
              </>
            )}
          </tr>
        ))}
      </Table>
    </Section>
  );
}
