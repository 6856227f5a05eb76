// The jobgraph dashboard: Preact pages on the service's own public API, each with its own
// URL (reload and deep links work: the service serves this page at each of them).
// Bundled with esbuild into public/dashboard.js (`npm run bundle:client`); nothing is
// loaded from anywhere but the service.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { can, credential, describe, gql, isOperator, useCredential, type Viewer } from './api.js';
import { useConnected, useEvents, usePath } from './hooks.js';
import { FlowPage } from './flow.js';
import { Flows } from './flows.js';
import { Job } from './job.js';
import { Jobs } from './jobs.js';
import { Overview } from './overview.js';
import { Queues } from './queues.js';
import { Schedules } from './schedules.js';
import { Submit } from './submit.js';
import { graphql } from './gql/index.js';
import { Link } from './ui.js';
import { Workers } from './workers.js';

const PAGES = [
  ['/', 'Overview'],
  ['/jobs', 'Jobs'],
  ['/flows', 'Flows'],
  ['/queues', 'Queues'],
  ['/schedules', 'Schedules'],
  ['/workers', 'Workers'],
] as const;

const VIEWER = graphql(`
  query DashboardViewer { viewer { name tenant scopes } }
`);

/** Keeps a subscription open (to a job that cannot exist: no events) and shows whether the WebSocket is connected. */
function Live() {
  useEvents(() => undefined, { jobId: '00000000-0000-0000-0000-000000000000' });
  const live = useConnected();
  return <span id="live" class={live ? 'on' : 'off'}>{live ? 'live' : 'offline'}</span>;
}

function App() {
  const path = usePath();
  const [pathname, search = ''] = path.split('?');
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    gql(VIEWER, {}).then(
      ({ viewer: found }) => {
        setViewer(found);
        setError(null);
      },
      (failure: unknown) => {
        setViewer(null);
        setError(describe(failure));
      },
    );
  }, [generation]);
  // A message belongs to the page it came from.
  useEffect(() => setError(null), [pathname]);
  const jobMatch = /^\/jobs\/([^/]+)$/.exec(pathname ?? '/');
  let jobId: string | null = null;
  try {
    jobId = jobMatch ? decodeURIComponent(jobMatch[1] as string) : null;
  } catch {
    jobId = jobMatch?.[1] ?? null; // a malformed %-escape: looked up as written, and not found
  }
  let page;
  if (!viewer) page = null;
  else if (jobId !== null) page = <Job id={jobId} viewer={viewer} onError={setError} />;
  else if (/^\/flows\/[\w-]+$/.test(pathname ?? '')) page = <FlowPage id={(pathname as string).split('/')[2] as string} viewer={viewer} onError={setError} />;
  else if (pathname === '/flows') page = <Flows search={search} />;
  else if (pathname === '/jobs') page = <Jobs search={search} viewer={viewer} onError={setError} />;
  else if (pathname === '/queues') page = <Queues viewer={viewer} onError={setError} />;
  else if (pathname === '/schedules') page = <Schedules viewer={viewer} onError={setError} />;
  else if (pathname === '/workers') page = <Workers />;
  else page = (
    <>
      <Overview />
      {can(viewer, 'write') && <Submit onError={setError} />}
    </>
  );
  return (
    <>
      <header>
        <h1><Link to="/">jobgraph</Link></h1>
        <nav>
          {PAGES.filter(([to]) => to !== '/workers' || isOperator(viewer)).map(([to, label]) => (
            <Link key={to} to={to} class={(to === '/' ? pathname === '/' : pathname?.startsWith(to)) ? 'here' : undefined}>{label}</Link>
          ))}
        </nav>
        {viewer && <Live key={generation} />}
        <form
          class="key"
          onSubmit={(event) => {
            event.preventDefault();
            useCredential(new FormData(event.currentTarget).get('credential') as string);
            setGeneration((value) => value + 1);
          }}
        >
          <input id="apiKey" name="credential" type="password" defaultValue={credential} placeholder="API key or token" aria-label="API key or token" />
          <button id="saveKey" type="submit">Use</button>
        </form>
        {viewer?.name && <span id="who">{viewer.name}{viewer.tenant ? ` · ${viewer.tenant}` : ''}</span>}
      </header>
      {error && <p id="error" role="alert">{error}</p>}
      <main key={generation}>{page}</main>
    </>
  );
}

const style = document.createElement('style');
style.textContent = uplotCss;
document.head.append(style);
render(<App />, document.getElementById('app') as HTMLElement);
