// Jobs: filtered by status, type, queue, tag or id, paged; retry, cancel or delete the
// selected jobs or every job the filter matches (each asks first).
import { useEffect, useState } from 'preact/hooks';
import { can, checked, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import type { JobStatus } from './gql/graphql.js';
import { navigate, useQuery } from './hooks.js';
import { JOB_ACTIONS } from './job.js';
import { Confirm, Link, Section, Status, Table, When } from './ui.js';

const STATUSES: JobStatus[] = ['PENDING', 'SCHEDULED', 'BLOCKED', 'RUNNING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const LIST = graphql(`
  query DashboardJobs($filter: JobFilter, $first: Int, $after: String, $last: Int, $before: String) {
    jobs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { id type queue status attempts maxAttempts progress tags createdAt }
    }
  }
`);
const PAGE = 25;

/** Each action on every job a filter matches: its own document, all answering as `payload`. */
const BULK = {
  retryJobs: graphql(`
    mutation DashboardRetryJobs($filter: JobFilter!) { payload: retryJobs(filter: $filter) { count userErrors { code field message } } }
  `),
  cancelJobs: graphql(`
    mutation DashboardCancelJobs($filter: JobFilter!) { payload: cancelJobs(filter: $filter) { count userErrors { code field message } } }
  `),
  deleteJobs: graphql(`
    mutation DashboardDeleteJobs($filter: JobFilter!) { payload: deleteJobs(filter: $filter) { count userErrors { code field message } } }
  `),
};

/** The filter in the URL's query, so a filtered list is a link too. */
function filterOf(search: string) {
  const params = new URLSearchParams(search);
  const list = (name: string) => (params.get(name) ? [params.get(name) as string] : undefined);
  const instant = (name: string) => (params.get(name) ? new Date(params.get(name) as string).toISOString() : undefined);
  // The URL may name any status: the service refuses one that is not.
  return { status: list('status') as JobStatus[] | undefined, type: list('type'), queue: list('queue'), tags: list('tag'), createdAfter: instant('after'), createdBefore: instant('before') };
}

export function Jobs({ search, viewer, onError }: { search: string; viewer: Viewer | null; onError: (message: string | null) => void }) {
  const params = new URLSearchParams(search);
  const filter = filterOf(search);
  const [page, setPage] = useState<{ after?: string; before?: string }>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const variables = { filter, ...(page.before ? { last: PAGE, before: page.before } : { first: PAGE, after: page.after }) };
  const { data, error, reload } = useQuery(LIST, variables, JSON.stringify(variables));
  // Another filter (typed, or back and forward): first page, nothing selected.
  useEffect(() => {
    setPage({});
    setSelected(new Set());
  }, [search]);
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setPage({});
    setSelected(new Set());
    navigate(`/jobs${next.size ? `?${next}` : ''}`);
  };
  const act = async (run: () => Promise<string>) => {
    try {
      onError(null);
      alert(await run());
      setSelected(new Set());
      reload();
    } catch (failure) {
      onError(describe(failure));
    }
  };
  const bulk = (action: keyof typeof BULK) =>
    act(async () => {
      const result = await gql(BULK[action], { filter });
      return `${checked(result.payload).count} jobs changed`;
    });
  const each = (action: keyof typeof JOB_ACTIONS) =>
    act(async () => {
      // Each job on its own: one refused does not stop the rest, and the answer says which.
      const refused: string[] = [];
      for (const id of selected) {
        const result = (await gql(JOB_ACTIONS[action], { id })).payload;
        if (result.userErrors.length) refused.push(result.userErrors[0]?.message ?? id);
      }
      return `${selected.size - refused.length} of ${selected.size} jobs changed${refused.length ? `; refused: ${refused.join('; ')}` : ''}`;
    });
  const turn = (to: { after?: string; before?: string }) => {
    setSelected(new Set()); // a selection is of the rows in view
    setPage(to);
  };
  const jobs = data?.jobs;
  const writer = can(viewer, 'write');
  return (
    <Section title="Jobs" wide>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          const id = (new FormData(event.currentTarget).get('id') as string).trim();
          if (id) navigate(`/jobs/${id}`);
        }}
      >
        <select id="fStatus" aria-label="status" value={params.get('status') ?? ''} onChange={(event) => set('status', event.currentTarget.value)}>
          <option value="">any status</option>
          {STATUSES.map((status) => <option key={status} value={status}>{status}</option>)}
        </select>
        <input id="fType" placeholder="type" aria-label="type" value={params.get('type') ?? ''} onChange={(event) => set('type', event.currentTarget.value)} />
        <input id="fQueue" placeholder="queue" aria-label="queue" value={params.get('queue') ?? ''} onChange={(event) => set('queue', event.currentTarget.value)} />
        <input id="fTag" placeholder="tag" aria-label="tag" value={params.get('tag') ?? ''} onChange={(event) => set('tag', event.currentTarget.value)} />
        <label class="inline">
          created after <input id="fAfter" type="datetime-local" aria-label="created after" value={params.get('after') ?? ''} onChange={(event) => set('after', event.currentTarget.value)} />
        </label>
        <label class="inline">
          before <input id="fBefore" type="datetime-local" aria-label="created before" value={params.get('before') ?? ''} onChange={(event) => set('before', event.currentTarget.value)} />
        </label>
        <input id="fId" name="id" placeholder="job id" aria-label="job id" />
        <button type="submit">Open</button>
      </form>
      <div class="row">
        <button id="prev" disabled={!jobs?.pageInfo.hasPreviousPage} onClick={() => turn({ before: jobs?.pageInfo.startCursor as string })}>Newer</button>
        <button id="next" disabled={!jobs?.pageInfo.hasNextPage} onClick={() => turn({ after: jobs?.pageInfo.endCursor as string })}>Older</button>
        <span id="total">{jobs ? `${jobs.totalCount} matching` : ''}</span>
        {writer && (
          <span class="actions">
            <Confirm label={`Retry selected (${selected.size})`} disabled={!selected.size} question={`Retry ${selected.size} selected jobs?`} action={() => void each('retryJob')} />
            <Confirm label={`Cancel selected (${selected.size})`} disabled={!selected.size} question={`Cancel ${selected.size} selected jobs?`} action={() => void each('cancelJob')} />
            <Confirm id="retryAll" label="Retry all matching" question={`Retry every FAILED or CANCELLED job of the ${jobs?.totalCount ?? 0} matching?`} action={() => void bulk('retryJobs')} />
            <Confirm id="cancelAll" label="Cancel all matching" question={`Cancel every unfinished job of the ${jobs?.totalCount ?? 0} matching?`} action={() => void bulk('cancelJobs')} />
            <Confirm id="deleteAll" label="Delete all matching" question={`Delete every finished job of the ${jobs?.totalCount ?? 0} matching, with its history and logs? This cannot be undone.`} action={() => void bulk('deleteJobs')} />
          </span>
        )}
      </div>
      {error && <p class="error">{error}</p>}
      <Table id="jobs" head={[...(writer ? [''] : []), 'id', 'type', 'queue', 'status', 'attempts', 'progress', 'tags', 'created']}>
        {(jobs?.nodes ?? []).map((job) => (
          <tr key={job.id} class="job">
            {writer && (
              <td>
                <input
                  type="checkbox"
                  aria-label={`select ${job.id}`}
                  checked={selected.has(job.id)}
                  onChange={(event) => {
                    const next = new Set(selected);
                    if (event.currentTarget.checked) next.add(job.id);
                    else next.delete(job.id);
                    setSelected(next);
                  }}
                />
              </td>
            )}
            <td class="id">
              <Link to={`/jobs/${job.id}`}>{job.id}</Link>
            </td>
            <td>{job.type}</td>
            <td>{job.queue}</td>
            <td><Status status={job.status} /></td>
            <td>{job.attempts}/{job.maxAttempts}</td>
            <td>{Math.round(job.progress)}%</td>
            <td>{job.tags.join(', ')}</td>
            <td><When at={job.createdAt} /></td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
