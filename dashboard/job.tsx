// One job: payload, result, error, history (with progress) and logs, following the job
// live; retry, cancel and run now (a SCHEDULED or RETRYING job) only when its status
// allows them, each asking first.
import { useEffect, useRef, useState } from 'preact/hooks';
import { can, checked, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import type { JobStatus } from './gql/graphql.js';
import { useEvents, useQuery } from './hooks.js';
import { Confirm, Json, Link, Section, Status, Table, When } from './ui.js';

graphql(`
  fragment DashboardAttemptError on AttemptError { name message stack }
`);

const JOB = graphql(`
  query DashboardJob($id: ID!) {
    job(id: $id) {
      id type queue status priority attempts maxAttempts timeoutMs progress payload result lastError tags owner tenant submittedBy idempotencyKey runAt createdAt startedAt finishedAt flowId flowKey waitingFor
      lastAttemptError { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError cause { ...DashboardAttemptError } } } } }
      events(last: 500) { pageInfo { hasPreviousPage } nodes { id type status attempt progress message createdAt error { ...DashboardAttemptError cause { ...DashboardAttemptError } } } }
      logs(first: 500) { pageInfo { hasNextPage } nodes { attempt level message data at } }
    }
  }
`);

/** Retry or cancel one job (here and on the jobs page): each its own document, all answering as `payload`. */
export const JOB_ACTIONS = {
  retryJob: graphql(`
    mutation DashboardRetryJob($id: ID!) { payload: retryJob(id: $id) { userErrors { code field message } } }
  `),
  cancelJob: graphql(`
    mutation DashboardCancelJob($id: ID!) { payload: cancelJob(id: $id) { userErrors { code field message } } }
  `),
  promoteJob: graphql(`
    mutation DashboardPromoteJob($id: ID!) { payload: promoteJob(id: $id) { userErrors { code field message } } }
  `),
};

const UNFINISHED: JobStatus[] = ['PENDING', 'SCHEDULED', 'RUNNING', 'RETRYING'];

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export function Job({ id, viewer, onError }: { id: string; viewer: Viewer | null; onError: (message: string | null) => void }) {
  const { data, error, reload } = useQuery(JOB, { id }, id);
  // Progress can come four times a second: the job is read again at most once a second.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents(() => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 1000);
  }, { jobId: id });
  useEffect(() => () => clearTimeout(pending.current), []);
  const [busy, setBusy] = useState(false);
  const job = data?.job;
  const act = async (action: keyof typeof JOB_ACTIONS) => {
    setBusy(true);
    onError(null);
    try {
      checked((await gql(JOB_ACTIONS[action], { id })).payload);
      reload();
    } catch (failure) {
      onError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  if (error && !job) return <Section title="Job" wide><p class="error">{error}</p></Section>;
  if (data && !job) return <Section title="Job" wide><p>No job {id} (or not one you may see).</p></Section>;
  if (!job) return <Section title="Job" wide><p>Loading…</p></Section>;
  const writer = can(viewer, 'write');
  return (
    <>
      <Section title={`Job ${job.type}`} wide>
        <p class="id"><code id="dId">{job.id}</code></p>
        <div class="row">
          <span id="dStatus"><Status status={job.status} /></span>
          <span>attempt {job.attempts} of {job.maxAttempts}</span>
          {['RUNNING', 'RETRYING', 'COMPLETED'].includes(job.status) && <span>progress {Math.round(job.progress)}%</span>}
          <span>queue {job.queue}</span>
          {job.tags.length > 0 && <span>tags {job.tags.join(', ')}</span>}
          {job.owner && <span>by {job.owner}</span>}
          {job.flowId && <Link to={`/flows/${job.flowId}`}>its flow</Link>}
          {writer && (
            <>
              <Confirm id="retry" label="Retry" disabled={busy || !['FAILED', 'CANCELLED'].includes(job.status)} question={`Run job ${job.id} again, with fresh attempts?`} action={() => void act('retryJob')} />
              {(job.status === 'SCHEDULED' || job.status === 'RETRYING') && (
                <Confirm id="runNow" label="Run now" disabled={busy} question={`Run job ${job.id} now instead of ${job.status === 'RETRYING' ? 'after its backoff' : 'at its time'}?`} action={() => void act('promoteJob')} />
              )}
              <Confirm id="cancel" label="Cancel" disabled={busy || !UNFINISHED.includes(job.status)} question={`Cancel job ${job.id}?${job.status === 'RUNNING' ? ' Its handler is told to stop.' : ''}`} action={() => void act('cancelJob')} />
            </>
          )}
        </div>
        <div class="row" id="dTimes">
          <span>created <When at={job.createdAt} precise /></span>
          {job.runAt && <span>{job.status === 'RETRYING' ? 'next attempt (after its backoff)' : 'runs at'} <When at={job.runAt} precise /></span>}
          {job.startedAt && <span>started <When at={job.startedAt} precise /></span>}
          {job.finishedAt && <span>finished <When at={job.finishedAt} precise /></span>}
          {job.startedAt && job.finishedAt && <span id="dTook">took {new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime()} ms</span>}
        </div>
        {job.waitingFor && <p id="dWaiting">Waiting for {job.waitingFor}.</p>}
        <div class="row muted" id="dFacts">
          <span>{UNFINISHED.includes(job.status) ? plural(Math.max(0, job.maxAttempts - job.attempts), 'attempt') + ' left' : `${plural(job.attempts, 'attempt')} made`}</span>
          <span>priority {job.priority}</span>
          <span>timeout {job.timeoutMs} ms</span>
          {job.idempotencyKey && <span>idempotency key <code>{job.idempotencyKey}</code></span>}
          {job.submittedBy && <span>submitted by {job.submittedBy}</span>}
          {job.flowKey && <span>flow step {job.flowKey}</span>}
        </div>
      </Section>
      <Section title="Payload"><Json id="dPayload" value={job.payload} /></Section>
      <Section title="Result"><Json id="dResult" value={job.result} /></Section>
      {job.lastAttemptError ? (
        <Section title="Last error" wide><AttemptErrorView error={job.lastAttemptError} /></Section>
      ) : (
        job.lastError && <Section title="Last error" wide><pre id="dError">{job.lastError}</pre></Section>
      )}
      <Section title="History" wide>
        {job.events.pageInfo.hasPreviousPage && <p class="muted">The latest 500 events; older ones are in the API (Job.events).</p>}
        <Table id="dEvents" head={['#', 'event', 'status', 'attempt', 'progress', 'message', 'at']}>
          {job.events.nodes.map((event) => (
            <tr key={event.id}>
              <td>{event.id}</td>
              <td>{event.type}</td>
              <td><Status status={event.status} /></td>
              <td>{event.attempt}</td>
              <td>{event.progress === null ? '' : `${Math.round(event.progress)}%`}</td>
              <td>
                {event.error ? (
                  // Each failed attempt's error in full: class and message, its stack and cause on demand.
                  <details class="attemptError">
                    <summary>{`${event.error.name}: ${event.error.message}`}</summary>
                    {event.error.stack && <pre>{event.error.stack}</pre>}
                    {event.error.cause && <pre>{`caused by ${event.error.cause.name}: ${event.error.cause.message}${event.error.cause.stack ? `\n${event.error.cause.stack}` : ''}`}</pre>}
                  </details>
                ) : (
                  (event.message ?? '')
                )}
              </td>
              <td><When at={event.createdAt} precise /></td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section title="Logs" wide>
        <Table id="dLogs" head={['attempt', 'level', 'message', 'data', 'at']}>
          {job.logs.nodes.map((line, index) => (
            <tr key={index} class={`log ${line.level}`}>
              <td>{line.attempt}</td>
              <td>{line.level}</td>
              <td>{line.message}</td>
              <td>{line.data === null ? '' : <code>{JSON.stringify(line.data)}</code>}</td>
              <td><When at={line.at} /></td>
            </tr>
          ))}
        </Table>
        {job.logs.nodes.length === 0 && <p class="muted">Its handler logged nothing.</p>}
        {job.logs.pageInfo.hasNextPage && <p class="muted">The first 500 lines; the rest are in the API (Job.logs, paged).</p>}
      </Section>
    </>
  );
}

/** An attempt's error as the API keeps it: class (or code), message, stack, then each cause. */
interface ShownError {
  name: string;
  message: string;
  stack?: string | null;
  cause?: ShownError | null;
}

function AttemptErrorView({ error }: { error: ShownError }) {
  const chain: ShownError[] = [];
  for (let current: ShownError | null | undefined = error; current && chain.length < 5; current = current.cause) chain.push(current);
  return (
    <div id="dError">
      {chain.map((item, index) => (
        <div key={index} class="attempt-error">
          <p>
            {index > 0 && <span class="muted">caused by </span>}
            <strong>{item.name}</strong>: {item.message}
          </p>
          {item.stack && (
            <details>
              <summary>stack</summary>
              <pre>{item.stack}</pre>
            </details>
          )}
        </div>
      ))}
    </div>
  );
}
