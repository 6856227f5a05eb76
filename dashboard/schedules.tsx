// Schedules: recurring jobs with their next runs; create, pause, resume, delete.
import { can, checked, describe, gql, type Viewer } from './api.js';
import { useQuery } from './hooks.js';
import { Confirm, Json, Section, Table, When } from './ui.js';

const SCHEDULES = '{ schedules { id name cron timezone paused nextRunAt job } }';

interface Schedule {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  paused: boolean;
  nextRunAt: string | null;
  job: unknown;
}

export function Schedules({ viewer, onError }: { viewer: Viewer | null; onError: (message: string | null) => void }) {
  const { data, error, reload } = useQuery<{ schedules: Schedule[] }>(SCHEDULES, {}, 'schedules');
  const writer = can(viewer, 'write');
  const run = async (mutation: string, variables: Record<string, unknown>) => {
    onError(null);
    try {
      checked((await gql<Record<string, { userErrors: never[] }>>(`mutation ($id: ID!) { ${mutation}(id: $id) { userErrors { code field message } } }`, variables))[mutation] as { userErrors: never[] });
      reload();
    } catch (failure) {
      onError(describe(failure));
    }
  };
  return (
    <>
      <Section title="Schedules" wide>
        {error && <p class="error">{error}</p>}
        <Table id="schedules" head={['name', 'cron', 'time zone', 'next run', 'job', ...(writer ? [''] : [])]}>
          {(data?.schedules ?? []).map((schedule) => (
            <tr key={schedule.id}>
              <td>{schedule.name}</td>
              <td><code>{schedule.cron}</code></td>
              <td>{schedule.timezone}</td>
              <td>{schedule.paused ? 'paused' : <When at={schedule.nextRunAt} />}</td>
              <td><Json value={schedule.job} /></td>
              {writer && (
                <td class="row">
                  {schedule.paused ? (
                    <button onClick={() => void run('resumeSchedule', { id: schedule.id })}>Resume</button>
                  ) : (
                    <button onClick={() => void run('pauseSchedule', { id: schedule.id })}>Pause</button>
                  )}
                  <Confirm label="Delete" question={`Delete schedule ${schedule.name}? Jobs it made stay.`} action={() => void run('deleteSchedule', { id: schedule.id })} />
                </td>
              )}
            </tr>
          ))}
        </Table>
        {data?.schedules.length === 0 && <p class="muted">No schedules.</p>}
      </Section>
      {writer && (
        <Section title="New schedule" wide>
          <form
            id="newSchedule"
            class="row"
            onSubmit={(event) => {
              event.preventDefault();
              const target = event.currentTarget;
              const form = new FormData(target);
              void (async () => {
                onError(null);
                try {
                  const payload = JSON.parse((form.get('payload') as string) || '{}') as unknown;
                  const input = { name: form.get('name'), cron: form.get('cron'), timezone: form.get('timezone') || 'UTC', job: { type: form.get('type'), payload } };
                  const result = await gql<{ createSchedule: { userErrors: never[] } }>(
                    'mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } userErrors { code field message } } }',
                    { input },
                  );
                  checked(result.createSchedule);
                  target.reset();
                  reload();
                } catch (failure) {
                  onError(describe(failure));
                }
              })();
            }}
          >
            <input name="name" placeholder="name" aria-label="schedule name" required />
            <input name="cron" placeholder="cron, e.g. 0 2 * * *" aria-label="cron" required />
            <input name="timezone" placeholder="UTC" aria-label="time zone" />
            <input name="type" placeholder="job type" aria-label="job type" required />
            <input name="payload" placeholder='payload JSON, e.g. {"ms": 100}' aria-label="payload" />
            <button type="submit">Create</button>
          </form>
        </Section>
      )}
    </>
  );
}
