// Workers: those alive now (service processes' and remote ones), what each runs and
// its process's memory, refreshed every 2 s.
import { useEffect } from 'preact/hooks';
import { graphql } from './gql/index.js';
import { useQuery } from './hooks.js';
import { Link, Section, Table, When } from './ui.js';

const WORKERS = graphql(`
  query DashboardWorkers { workers { id kind hostname pid queues types concurrency running { id type } startedAt lastSeenAt memoryBytes } }
`);

export function Workers() {
  const { data, error, reload } = useQuery(WORKERS, {}, 'workers');
  useEffect(() => {
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <Section title="Workers" wide>
      {error && <p class="error">{error}</p>}
      <Table id="workers" head={['kind', 'host', 'pid', 'queues', 'types', 'concurrency', 'running', 'memory', 'started', 'last seen']}>
        {(data?.workers ?? []).map((worker) => (
          <tr key={worker.id}>
            <td>{worker.kind === 'REMOTE' ? 'remote' : 'in-process'}</td>
            <td title={worker.id}>{worker.hostname}</td>
            <td>{worker.kind === 'REMOTE' ? '' : worker.pid}</td>
            <td>{worker.queues.join(', ')}</td>
            <td>{worker.types.join(', ')}</td>
            <td>{worker.concurrency}</td>
            <td>
              {worker.running.length === 0
                ? 'idle'
                : worker.running.map((job) => (
                    <div key={job.id}>
                      <Link to={`/jobs/${job.id}`}>{job.type} {job.id}</Link>
                    </div>
                  ))}
            </td>
            <td class="memory">{worker.memoryBytes == null ? '' : `${Math.round(worker.memoryBytes / 2 ** 20)} MB`}</td>
            <td><When at={worker.startedAt} /></td>
            <td><When at={worker.lastSeenAt} /></td>
          </tr>
        ))}
      </Table>
      {data?.workers.length === 0 && <p class="muted">No worker is alive.</p>}
    </Section>
  );
}
