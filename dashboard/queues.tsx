// Queues: pause and resume, and limits across all workers (admin only).
import type { UserError } from '@jobgraph/client';
import { can, checked, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import { useQuery } from './hooks.js';
import { Confirm, Section, Table } from './ui.js';

const QUEUES = graphql(`
  query DashboardQueues { queues { name paused concurrency rateLimit { max durationMs } counts { pending running } } }
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

export function Queues({ viewer, onError }: { viewer: Viewer | null; onError: (message: string | null) => void }) {
  const { data, error, reload } = useQuery(QUEUES, {}, 'queues');
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
      <Table id="queues" head={['queue', 'state', 'pending', 'running', 'concurrency (all workers)', 'rate limit', ...(admin ? ['', 'limits'] : [])]}>
        {(data?.queues ?? []).map((queue) => (
          <tr key={queue.name}>
            <td>{queue.name}</td>
            <td class={queue.paused ? 'status FAILED' : 'status COMPLETED'}>{queue.paused ? 'paused' : 'running'}</td>
            <td>{queue.counts.pending}</td>
            <td>{queue.counts.running}</td>
            <td>{queue.concurrency ?? 'per worker only'}</td>
            <td>{queue.rateLimit ? `${queue.rateLimit.max} per ${queue.rateLimit.durationMs} ms` : 'none'}</td>
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
                      const input = { concurrency: number('concurrency'), rateLimit: max === null ? null : { max, durationMs: number('durationMs') ?? 1000 } };
                      void run(async () => (await gql(LIMITS, { name: queue.name, input })).updateQueue);
                    }}
                  >
                    <input name="concurrency" type="number" min="1" placeholder="concurrency" aria-label={`concurrency of ${queue.name}`} defaultValue={queue.concurrency?.toString() ?? ''} />
                    <input name="max" type="number" min="1" placeholder="max" aria-label={`rate limit of ${queue.name}`} defaultValue={queue.rateLimit?.max.toString() ?? ''} />
                    <input name="durationMs" type="number" min="1" placeholder="per ms" aria-label={`rate limit period of ${queue.name}`} defaultValue={queue.rateLimit?.durationMs.toString() ?? ''} />
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
