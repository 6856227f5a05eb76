// Flows: the flows the credential may see, newest first, filtered by status and name (the
// filter is in the URL), a page at a time, each linking to its graph; the list is read
// again as their jobs change (at most once a second).
import { useEffect, useRef, useState } from 'preact/hooks';
import { graphql } from './gql/index.js';
import type { FlowStatus } from './gql/graphql.js';
import { navigate, useEvents, useQuery } from './hooks.js';
import { Link, Section, Status, Table, When } from './ui.js';

const FLOWS = graphql(`
  query DashboardFlows($filter: FlowFilter, $first: Int, $after: String) {
    flows(filter: $filter, first: $first, after: $after) {
      nodes { id name status jobCount createdAt finishedAt }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const STATUSES: FlowStatus[] = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PAGE = 50;

export function Flows({ search }: { search: string }) {
  const params = new URLSearchParams(search);
  const status = params.get('status') as FlowStatus | null;
  const name = params.get('name') ?? '';
  const [after, setAfter] = useState<string | null>(null);
  const filter = { status: status ? [status] : null, name: name || null };
  const { data, error, reload } = useQuery(FLOWS, { filter, first: PAGE, after }, `${search}|${after ?? ''}`);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents((event) => {
    if (!event.job.flowId) return;
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 1000);
  });
  useEffect(() => () => clearTimeout(pending.current), []);
  useEffect(() => setAfter(null), [search]);
  const go = (next: URLSearchParams) => navigate(`/flows${next.size ? `?${next}` : ''}`);
  return (
    <Section title="Flows" wide>
      <form
        id="flowFilter"
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const next = new URLSearchParams();
          for (const key of ['status', 'name']) {
            const value = String(form.get(key) ?? '').trim();
            if (value) next.set(key, value);
          }
          go(next);
        }}
      >
        <select name="status" value={status ?? ''} aria-label="status">
          <option value="">any status</option>
          {STATUSES.map((each) => (
            <option key={each} value={each}>{each}</option>
          ))}
        </select>
        <input name="name" placeholder="name starts with" value={name} aria-label="name starts with" />
        <button type="submit">Filter</button>
      </form>
      {error && <p class="error">{error}</p>}
      <Table id="flows" head={['name', 'status', 'jobs', 'created', 'finished']}>
        {(data?.flows.nodes ?? []).map((flow) => (
          <tr key={flow.id} class="flow">
            <td><Link to={`/flows/${flow.id}`}>{flow.name ?? flow.id}</Link></td>
            <td><Status status={flow.status} /></td>
            <td>{flow.jobCount}</td>
            <td><When at={flow.createdAt} /></td>
            <td>{flow.finishedAt ? <When at={flow.finishedAt} /> : ''}</td>
          </tr>
        ))}
      </Table>
      {data?.flows.nodes.length === 0 && <p class="muted">No flows{status || name ? ' match' : ''} here.</p>}
      <div class="row">
        {after && <button onClick={() => setAfter(null)}>Newest</button>}
        {data?.flows.pageInfo.hasNextPage && <button id="olderFlows" onClick={() => setAfter(data.flows.pageInfo.endCursor ?? null)}>Older</button>}
      </div>
    </Section>
  );
}
