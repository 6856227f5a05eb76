// A flow as a graph: each job a box in the column of its depth (the longest chain of
// jobs it waits for), an arrow from each job to those that wait for it, the statuses
// following the flow live (flowUpdated), a failed job's error on its box; zoom in and
// out, and pan by scrolling; cancel the flow, or retry its failed jobs (which brings
// back what their failure cancelled), each asking first.
import { useEffect, useState } from 'preact/hooks';
import { ErrorCode, type Flow } from '@jobgraph/client';
import { can, checked, client, describe, gql, type Viewer } from './api.js';
import { graphql } from './gql/index.js';
import { JOB_ACTIONS } from './job.js';
import { Confirm, Link, Section, Status, When } from './ui.js';

const CANCEL_FLOW = graphql(`
  mutation DashboardCancelFlow($id: ID!) { payload: cancelFlow(id: $id) { userErrors { code field message } } }
`);

const ZOOMS = [0.5, 0.75, 1, 1.5, 2];

const BOX = { width: 170, height: 58, columnGap: 70, rowGap: 16 };

type FlowJob = Flow['jobs'][number];

/** Depth of each job: 0 for one that waits for nothing, else one more than the deepest it waits for. */
function depths(jobs: FlowJob[]): Map<string, number> {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const depth = new Map<string, number>();
  const of = (job: FlowJob, seen: Set<string>): number => {
    const known = depth.get(job.id);
    if (known !== undefined) return known;
    if (seen.has(job.id)) return 0; // never: flows have no cycles
    seen.add(job.id);
    const value = job.dependsOn.reduce((most, dependency) => {
      const found = byId.get(dependency.id);
      return found ? Math.max(most, of(found, seen) + 1) : most;
    }, 0);
    depth.set(job.id, value);
    return value;
  };
  for (const job of jobs) of(job, new Set());
  return depth;
}

export function FlowPage({ id, viewer, onError }: { id: string; viewer: Viewer | null; onError: (message: string | null) => void }) {
  const [flow, setFlow] = useState<Flow | null>(null);
  const [missing, setMissing] = useState(false);
  const [zoom, setZoom] = useState(1);
  const [busy, setBusy] = useState(false);
  /** Runs an action; the flow's own updates show what came of it. */
  const act = async (run: () => Promise<void>) => {
    setBusy(true);
    onError(null);
    try {
      await run();
    } catch (failure) {
      onError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    setFlow(null);
    setMissing(false);
    return client.watchFlow(id, setFlow, (error) => {
      const message = describe(error);
      if (message.includes(ErrorCode.NOT_FOUND)) setMissing(true);
      else onError(message);
    });
  }, [id]);
  if (missing) return <Section title="Flow" wide><p>No flow {id} (or not one you may see).</p></Section>;
  if (!flow) return <Section title="Flow" wide><p>Loading…</p></Section>;
  const depth = depths(flow.jobs);
  const columns = new Map<number, FlowJob[]>();
  for (const job of flow.jobs) columns.set(depth.get(job.id) ?? 0, [...(columns.get(depth.get(job.id) ?? 0) ?? []), job]);
  const place = new Map<string, { x: number; y: number }>();
  for (const [column, jobs] of columns) {
    jobs.forEach((job, row) => place.set(job.id, { x: column * (BOX.width + BOX.columnGap), y: row * (BOX.height + BOX.rowGap) }));
  }
  const width = Math.max(...[...place.values()].map((at) => at.x)) + BOX.width + 2;
  const height = Math.max(...[...place.values()].map((at) => at.y)) + BOX.height + 2;
  const failed = flow.jobs.filter((job) => job.status === 'FAILED');
  const writer = can(viewer, 'write');
  return (
    <>
      <Section title={`Flow ${flow.name ?? ''}`} wide>
        <div class="row">
          <span id="flowStatus"><Status status={flow.status} /></span>
          <span>{flow.jobs.length} jobs</span>
          <span>created <When at={flow.createdAt as string} /></span>
          {flow.finishedAt && <span>finished <When at={flow.finishedAt as string} /></span>}
          <span class="actions">
            <span class="zoom" aria-label="zoom">
              <button id="zoomOut" disabled={zoom === ZOOMS[0]} onClick={() => setZoom(ZOOMS[Math.max(0, ZOOMS.indexOf(zoom) - 1)] as number)} aria-label="zoom out">−</button>
              <span id="zoomLevel">{Math.round(zoom * 100)}%</span>
              <button id="zoomIn" disabled={zoom === ZOOMS.at(-1)} onClick={() => setZoom(ZOOMS[Math.min(ZOOMS.length - 1, ZOOMS.indexOf(zoom) + 1)] as number)} aria-label="zoom in">+</button>
            </span>
            {writer && (
              <>
                <Confirm
                  id="retryFlow"
                  label={`Retry ${failed.length} failed`}
                  disabled={busy || failed.length === 0}
                  question={`Retry the ${failed.length} failed job${failed.length === 1 ? '' : 's'} of this flow? What their failure cancelled waits for them again.`}
                  action={() =>
                    void act(async () => {
                      for (const job of failed) checked((await gql(JOB_ACTIONS.retryJob, { id: job.id })).payload);
                    })
                  }
                />
                <Confirm
                  id="cancelFlow"
                  label="Cancel flow"
                  disabled={busy || flow.status !== 'RUNNING'}
                  question={`Cancel every unfinished job of flow ${flow.name ?? flow.id}?`}
                  action={() => void act(async () => void checked((await gql(CANCEL_FLOW, { id: flow.id })).payload))}
                />
              </>
            )}
          </span>
        </div>
        <div class="scroll flowScroll">
          <svg id="flowGraph" width={width * zoom} height={height * zoom} viewBox={`0 0 ${width} ${height}`} role="img" aria-label="the flow's jobs and what each waits for">
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
              </marker>
            </defs>
            {flow.jobs.flatMap((job) =>
              job.dependsOn.map((dependency) => {
                const from = place.get(dependency.id);
                const to = place.get(job.id);
                if (!from || !to) return null;
                return (
                  <line key={`${dependency.id}-${job.id}`} class="edge" x1={from.x + BOX.width} y1={from.y + BOX.height / 2} x2={to.x} y2={to.y + BOX.height / 2} marker-end="url(#arrow)" />
                );
              }),
            )}
            {flow.jobs.map((job) => {
              const at = place.get(job.id) as { x: number; y: number };
              return (
                <a key={job.id} href={`/jobs/${job.id}`} class={`node ${job.status}`}>
                  <rect x={at.x} y={at.y} width={BOX.width} height={BOX.height} rx="6" />
                  <text x={at.x + 8} y={at.y + 18}>{job.flowKey ? `${job.flowKey} · ${job.type}` : job.type}</text>
                  <text x={at.x + 8} y={at.y + 35} class="status-text">{job.status}</text>
                  {job.lastError && (
                    <text x={at.x + 8} y={at.y + 51} class="error-text">
                      <title>{job.lastError}</title>
                      {job.lastError.length > 26 ? `${job.lastError.slice(0, 25)}…` : job.lastError}
                    </text>
                  )}
                </a>
              );
            })}
          </svg>
        </div>
      </Section>
      <Section title="Jobs" wide>
        <ul>
          {flow.jobs.map((job) => (
            <li key={job.id}>
              <Link to={`/jobs/${job.id}`}>{job.flowKey ?? job.type} {job.id}</Link> <Status status={job.status} />
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
