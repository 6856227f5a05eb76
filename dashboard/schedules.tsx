// Schedules: recurring jobs with their next and last runs (and the job it made last);
// create, run now, pause, resume, delete.
import { can, checked, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import { useState } from 'preact/hooks';
import { useQuery } from './hooks.js';
import { PayloadFields, payloadOf, useJobTypes, type Schema } from './submit.js';
import { Confirm, Json, Link, Section, Status, Table, When } from './ui.js';

const SCHEDULES = graphql(`
  query DashboardSchedules { schedules { id name cron timezone paused nextRuns(count: 3) lastRunAt lastJob { id status } job } }
`);

/** Each action on one schedule: its own document, all answering as `payload`. */
const ACTIONS = {
  pauseSchedule: graphql(`
    mutation DashboardPauseSchedule($id: ID!) { payload: pauseSchedule(id: $id) { userErrors { code field message } } }
  `),
  resumeSchedule: graphql(`
    mutation DashboardResumeSchedule($id: ID!) { payload: resumeSchedule(id: $id) { userErrors { code field message } } }
  `),
  runSchedule: graphql(`
    mutation DashboardRunSchedule($id: ID!) { payload: runSchedule(id: $id) { userErrors { code field message } } }
  `),
  deleteSchedule: graphql(`
    mutation DashboardDeleteSchedule($id: ID!) { payload: deleteSchedule(id: $id) { userErrors { code field message } } }
  `),
};

const CREATE = graphql(`
  mutation DashboardCreateSchedule($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id } userErrors { code field message } } }
`);

/** The job template as it was given: the fields left out (null) are not shown. */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}

export function Schedules({ viewer, onError }: { viewer: Viewer | null; onError: (message: string | null) => void }) {
  const { data, error, reload } = useQuery(SCHEDULES, {}, 'schedules');
  const writer = can(viewer, 'write');
  const types = useJobTypes();
  const [chosen, setChosen] = useState<string | null>(null);
  const type = types.find((candidate) => candidate.name === chosen) ?? types[0];
  const schema = (type?.payloadSchema ?? null) as Schema | null;
  const run = async (action: keyof typeof ACTIONS, id: string) => {
    onError(null);
    try {
      checked((await gql(ACTIONS[action], { id })).payload);
      reload();
    } catch (failure) {
      onError(describe(failure));
    }
  };
  return (
    <>
      <Section title="Schedules" wide>
        {error && <p class="error">{error}</p>}
        <Table id="schedules" head={['name', 'cron', 'time zone', 'next runs', 'last run', 'job', ...(writer ? [''] : [])]}>
          {(data?.schedules ?? []).map((schedule) => (
            <tr key={schedule.id}>
              <td>{schedule.name}</td>
              <td><code>{schedule.cron}</code></td>
              <td>{schedule.timezone}</td>
              <td class="nextRuns">
                {schedule.paused
                  ? 'paused'
                  : schedule.nextRuns.map((at) => (
                      <div key={at as string}><When at={at as string} /></div>
                    ))}
              </td>
              <td class="lastRun">
                {schedule.lastRunAt ? <When at={schedule.lastRunAt} /> : 'never'}
                {schedule.lastJob && (
                  <>
                    {' '}
                    <Link to={`/jobs/${schedule.lastJob.id}`}><Status status={schedule.lastJob.status} /></Link>
                  </>
                )}
              </td>
              <td><Json value={withoutNulls(schedule.job)} /></td>
              {writer && (
                <td class="row">
                  {schedule.paused ? (
                    <button onClick={() => void run('resumeSchedule', schedule.id)}>Resume</button>
                  ) : (
                    <button onClick={() => void run('pauseSchedule', schedule.id)}>Pause</button>
                  )}
                  <Confirm label="Run now" question={`Submit ${schedule.name}'s job now? Its next run stays as it is.`} action={() => void run('runSchedule', schedule.id)} />
                  <Confirm label="Delete" question={`Delete schedule ${schedule.name}? Jobs it made stay.`} action={() => void run('deleteSchedule', schedule.id)} />
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
            onSubmit={(event) => {
              event.preventDefault();
              const target = event.currentTarget;
              const form = new FormData(target);
              void (async () => {
                onError(null);
                try {
                  // Text inputs: each value a string.
                  const text = (name: string) => form.get(name) as string;
                  const input = { name: text('name'), cron: text('cron'), timezone: text('timezone') || 'UTC', job: { type: type?.name ?? '', payload: payloadOf(target, schema) } };
                  const result = await gql(CREATE, { input });
                  checked(result.createSchedule);
                  target.reset();
                  reload();
                } catch (failure) {
                  onError(describe(failure));
                }
              })();
            }}
          >
            <div class="row">
              <input name="name" placeholder="name" aria-label="schedule name" required />
              <input name="cron" placeholder="cron, e.g. 0 2 * * *" aria-label="cron" required />
              <input name="timezone" placeholder="time zone (UTC)" aria-label="time zone" />
            </div>
            <label>
              <span>job type</span>
              <select name="type" aria-label="job type" value={type?.name} onChange={(event) => setChosen(event.currentTarget.value)}>
                {types.map((candidate) => <option key={candidate.name} value={candidate.name}>{candidate.name}</option>)}
              </select>
            </label>
            {type?.description && <p class="muted">{type.description}</p>}
            {/* The job's payload, from the type's schema, as the submit form builds it. */}
            <div key={type?.name}>
              <PayloadFields schema={schema} />
            </div>
            <button type="submit">Create</button>
          </form>
        </Section>
      )}
    </>
  );
}
