// Jobs: status tabs with live counts; filtered by type, queue, tag, dates or what the
// payload contains (all in the URL), paged, each row with its error and how long it
// took; retry, cancel or delete the selected jobs or every job the filter matches, each
// saying how many it will touch and asking first (with no filter, only once "everything"
// is ticked).
import { useEffect, useRef, useState } from 'preact/hooks';
import { can, checked, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import type { JobStatus } from './gql/graphql.js';
import { navigate, useEvents, useQuery } from './hooks.js';
import { JOB_ACTIONS } from './job.js';
import { Confirm, Link, Section, Status, Table, When } from './ui.js';

const STATUSES: JobStatus[] = ['PENDING', 'SCHEDULED', 'BLOCKED', 'RUNNING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const LIST = graphql(`
  query DashboardJobs($filter: JobFilter, $first: Int, $after: String, $last: Int, $before: String) {
    jobs(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { id type queue status attempts maxAttempts progress tags createdAt startedAt finishedAt lastAttemptError { name message } lastError }
    }
  }
`);

const STATS = graphql(`
  query DashboardJobStats($queue: String) { jobStats(queue: $queue) { total pending scheduled blocked running retrying completed failed cancelled } }
`);

/** How many jobs each bulk action would touch: the filter, narrowed to the statuses the action takes. */
const BULK_COUNTS = graphql(`
  query DashboardBulkCounts($retry: JobFilter, $cancel: JobFilter, $delete: JobFilter) {
    retry: jobs(filter: $retry, first: 1) { totalCount }
    cancel: jobs(filter: $cancel, first: 1) { totalCount }
    delete: jobs(filter: $delete, first: 1) { totalCount }
  }
`);

const FINAL: JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
/** The statuses each bulk action changes. */
const TAKES: Record<'retry' | 'cancel' | 'delete', JobStatus[]> = {
  retry: ['FAILED', 'CANCELLED'],
  cancel: ['PENDING', 'SCHEDULED', 'BLOCKED', 'RUNNING', 'RETRYING'],
  delete: FINAL,
};

/** How long a finished job took, from its start: "850 ms", "12.4 s", "3 min 5 s". */
function took(startedAt: string | null | undefined, finishedAt: string | null | undefined): string {
  if (!startedAt || !finishedAt) return '';
  const ms = new Date(finishedAt).getTime() - new Date(startedAt).getTime();
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
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
  // The payload filter is JSON in the URL; one that does not parse is said, and not sent.
  let payloadContains: unknown;
  try {
    payloadContains = params.get('payload') ? JSON.parse(params.get('payload') as string) : undefined;
  } catch {
    payloadContains = undefined;
  }
  // The URL may name any status: the service refuses one that is not.
  return {
    status: list('status') as JobStatus[] | undefined,
    type: list('type'),
    queue: list('queue'),
    tags: list('tag'),
    createdAfter: instant('after'),
    createdBefore: instant('before'),
    payloadContains,
  };
}

/** The filter narrowed to the statuses an action takes (none left: it would touch nothing). */
function narrowed(filter: ReturnType<typeof filterOf>, takes: JobStatus[]) {
  return { ...filter, status: filter.status ? filter.status.filter((status) => takes.includes(status)) : takes };
}

/** Words for the filter, for a bulk action's question. */
function described(search: string): string {
  const params = new URLSearchParams(search);
  const parts = [...params].map(([name, value]) => `${name} ${value}`);
  return parts.length ? parts.join(', ') : 'no filter: every job you may change';
}

export function Jobs({ search, viewer, onError }: { search: string; viewer: Viewer | null; onError: (message: string | null) => void }) {
  const params = new URLSearchParams(search);
  const filter = filterOf(search);
  const [page, setPage] = useState<{ after?: string; before?: string }>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const variables = { filter, ...(page.before ? { last: PAGE, before: page.before } : { first: PAGE, after: page.after }) };
  const { data, error, reload } = useQuery(LIST, variables, JSON.stringify(variables));
  const stats = useQuery(STATS, { queue: params.get('queue') || null }, `stats|${params.get('queue') ?? ''}`);
  const counts = useQuery(
    BULK_COUNTS,
    { retry: narrowed(filter, TAKES.retry), cancel: narrowed(filter, TAKES.cancel), delete: narrowed(filter, TAKES.delete) },
    `bulk|${search}`,
  );
  const [everything, setEverything] = useState(false);
  const unfiltered = [...params.keys()].length === 0;
  // Counts follow the jobs live: read again at most once a second.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents(() => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      stats.reload();
      counts.reload();
      reload();
    }, 1000);
  });
  useEffect(() => () => clearTimeout(pending.current), []);
  const badPayload = params.get('payload') !== null && filter.payloadContains === undefined;
  // Another filter (typed, or back and forward): first page, nothing selected.
  useEffect(() => {
    setPage({});
    setSelected(new Set());
    setEverything(false);
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
      counts.reload();
      stats.reload();
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
  const tab = params.get('status') ?? '';
  const tabs: [string, string, number | undefined][] = [
    ['', 'all', stats.data?.jobStats.total],
    ...STATUSES.map((status): [string, string, number | undefined] => [status, status, stats.data?.jobStats[status.toLowerCase() as Lowercase<JobStatus>]]),
  ];
  const would = (action: 'retry' | 'cancel' | 'delete') => counts.data?.[action].totalCount ?? 0;
  const filterWords = described(search);
  return (
    <Section title="Jobs" wide>
      <nav id="statusTabs" class="tabs" aria-label="status">
        {tabs.map(([status, label, count]) => (
          <button key={label} id={`tab-${label}`} class={tab === status ? 'here' : undefined} aria-pressed={tab === status} onClick={() => set('status', status)}>
            {label} <span class="count">{count ?? ''}</span>
          </button>
        ))}
      </nav>
      {/* Text fields are the browser's while typed in (a live reload must not reset them), applied when left; a new URL makes them anew. */}
      <form
        key={search}
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          const id = (new FormData(event.currentTarget).get('id') as string).trim();
          if (id) navigate(`/jobs/${id}`);
        }}
      >
        <input id="fType" placeholder="type" aria-label="type" defaultValue={params.get('type') ?? ''} onChange={(event) => set('type', event.currentTarget.value)} />
        <input id="fQueue" placeholder="queue" aria-label="queue" defaultValue={params.get('queue') ?? ''} onChange={(event) => set('queue', event.currentTarget.value)} />
        <input id="fTag" placeholder="tag" aria-label="tag" defaultValue={params.get('tag') ?? ''} onChange={(event) => set('tag', event.currentTarget.value)} />
        <label class="inline">
          created after <input id="fAfter" type="datetime-local" aria-label="created after" value={params.get('after') ?? ''} onChange={(event) => set('after', event.currentTarget.value)} />
        </label>
        <label class="inline">
          before <input id="fBefore" type="datetime-local" aria-label="created before" value={params.get('before') ?? ''} onChange={(event) => set('before', event.currentTarget.value)} />
        </label>
        <input id="fPayload" placeholder='payload contains, e.g. {"orderId": 42}' aria-label="payload contains (JSON)" defaultValue={params.get('payload') ?? ''} onChange={(event) => set('payload', event.currentTarget.value)} />
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
            {unfiltered && (
              <label class="inline" title="With no filter, the actions below touch every job you may change">
                <input id="everything" type="checkbox" checked={everything} onChange={(event) => setEverything(event.currentTarget.checked)} /> everything
              </label>
            )}
            {(!unfiltered || everything) && (
              <>
                <Confirm id="retryAll" label={`Retry ${would('retry')} failed or cancelled`} disabled={!would('retry')} question={`Retry ${would('retry')} failed or cancelled jobs matching ${filterWords}?`} action={() => void bulk('retryJobs')} />
                <Confirm id="cancelAll" label={`Cancel ${would('cancel')} unfinished`} disabled={!would('cancel')} question={`Cancel ${would('cancel')} unfinished jobs matching ${filterWords}?`} action={() => void bulk('cancelJobs')} />
                <Confirm id="deleteAll" label={`Delete ${would('delete')} finished`} disabled={!would('delete')} question={`Delete ${would('delete')} finished jobs matching ${filterWords}, with their history and logs? This cannot be undone.`} action={() => void bulk('deleteJobs')} />
              </>
            )}
          </span>
        )}
      </div>
      {badPayload && <p class="error">payload contains: not JSON; nothing is filtered by it.</p>}
      {error && <p class="error">{error}</p>}
      <Table id="jobs" head={[...(writer ? [''] : []), 'id', 'type', 'queue', 'status', 'attempts', 'progress', 'error', 'created', 'finished', 'took', 'tags']}>
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
              {/* Ids made in the same moment share their first part (UUIDv7 begins with the time): the part that tells them apart stands out. */}
              <Link to={`/jobs/${job.id}`}>
                <span class="idTime">{job.id.slice(0, 19)}</span>
                {job.id.slice(19)}
              </Link>
            </td>
            <td>{job.type}</td>
            <td>{job.queue}</td>
            <td><Status status={job.status} /></td>
            <td>{job.attempts}/{job.maxAttempts}</td>
            {/* Progress says something only while it runs, or once it completed. */}
            <td>{job.status === 'RUNNING' || job.status === 'RETRYING' || job.status === 'COMPLETED' ? `${Math.round(job.progress)}%` : ''}</td>
            <td class="error">{job.lastAttemptError ? `${job.lastAttemptError.name}: ${job.lastAttemptError.message}` : (job.lastError ?? '')}</td>
            <td><When at={job.createdAt} /></td>
            <td>{job.finishedAt ? <When at={job.finishedAt} /> : ''}</td>
            <td>{took(job.startedAt, job.finishedAt)}</td>
            <td>{job.tags.join(', ')}</td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}
