// The layers of src/ (docs/architecture.md draws them), kept by `npm run check`
// (`depcruise src`). Each folder may import the folders below it, never those above;
// no import cycle anywhere. A new folder gets a rule here before it gets code.
/** A path pattern for folders (or top-level files) of src/. */
const under = (...names) => `^src/(${names.join('|')})(/|\\.ts$)`;

const VOCABULARY = ['domain', 'generated'];
const BASE = [...VOCABULARY, 'config', 'logger', 'tracing', 'paths', 'db', 'net', 'files'];
const ADAPTERS = [...BASE, 'store', 'redis'];
const SERVICES = [...ADAPTERS, 'metrics', 'events', 'handlers', 'auth', 'jobs', 'schedules', 'queues'];

/** `from` may import only what `allowed` names (besides itself and npm packages). */
const only = (name, from, allowed) => ({
  name,
  severity: 'error',
  comment: `${from.join(', ')} may import only ${allowed.join(', ')}`,
  from: { path: under(...from) },
  to: { path: '^src/', pathNot: under(...from, ...allowed) },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make the order of initialisation matter.', from: {}, to: { circular: true } },
    only('domain-is-the-vocabulary', ['domain'], ['generated']),
    // config parses two settings with their owners' parsers, which import only the vocabulary.
    only('config-and-logger', ['config', 'logger', 'paths'], [...VOCABULARY, 'config', 'logger', 'tracing', 'auth/apiKeys', 'auth/caller', 'net/allowList']),
    // Tracing sits beside the logger: everything may open spans, it knows only the settings.
    only('tracing', ['tracing'], [...VOCABULARY, 'config']),
    only('base', ['db', 'net', 'files'], BASE),
    only('metrics', ['metrics'], ADAPTERS),
    only('adapters', ['store', 'redis'], BASE),
    only('events', ['events'], [...ADAPTERS]),
    only('handlers', ['handlers'], [...ADAPTERS]),
    only('auth', ['auth'], [...ADAPTERS]),
    only('services', ['jobs', 'schedules', 'queues'], [...ADAPTERS, 'metrics', 'events/bus', 'handlers', 'auth/rateLimit', 'jobs', 'schedules', 'queues']),
    only('runtime', ['worker', 'maintenance'], SERVICES),
    // Remote workers: the API process's side of the worker protocol, on the worker runtime.
    only('remote', ['remote'], [...SERVICES, 'worker']),
    // The API surface builds on the services and serves remote workers; it never reaches into the worker runtime or maintenance.
    only('api', ['http', 'schema', 'context'], [...SERVICES, 'redis', 'remote', 'http', 'schema', 'context']),
    {
      name: 'one-composition-root',
      severity: 'error',
      comment: 'Only the entry points import the composition root.',
      from: { pathNot: '^src/(index|workerThread)\\.ts$' },
      to: { path: '^src/app\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
