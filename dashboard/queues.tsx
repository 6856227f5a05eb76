// Queues: pause and resume, and limits across all workers (admin only).
import { can, checked, describe, gql, type Viewer } from './api.js';
import { useQuery } from './hooks.js';
import { Confirm, Section, Table } from './ui.js';

const QUEUES = '{ queues { name paused concurrency rateLimit { max durationMs } counts { pending running } } }';

interface Queue {
  name: string;
  paused: boolean;
  concurrency: number | null;
  rateLimit: { max: number; durationMs: number } | null;
  counts: { pending: number; running: number };
}

export function Queues({ viewer, onError }: { viewer: Viewer | null; onError: (message: string | null) => void }) {
  const { data, error, reload } = useQuery<{ queues: Queue[] }>(QUEUES, {}, 'queues');
  const admin = can(viewer, 'admin');
  const run = async (query: string, variables: Record<string, unknown>, field: string) => {
    onError(null);
    try {
      checked((await gql<Record<string, { userErrors: never[] }>>(query, variables))[field] as { userErrors: never[] });
      reload();
    } catch (failure) {
      onError(describe(failure));
    }
  };
  const setPaused = (name: string, paused: boolean) =>
    run(`mutation ($name: String!) { ${paused ? 'pauseQueue' : 'resumeQueue'}(name: $name) { userErrors { code field message } } }`, { name }, paused ? 'pauseQueue' : 'resumeQueue');
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
                      void run(
                        'mutation ($name: String!, $input: QueueSettingsInput!) { updateQueue(name: $name, input: $input) { userErrors { code field message } } }',
                        { name: queue.name, input: { concurrency: number('concurrency'), rateLimit: max === null ? null : { max, durationMs: number('durationMs') ?? 1000 } } },
                        'updateQueue',
                      );
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
