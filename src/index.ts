// Entry point: read the configuration, start, and stop cleanly on SIGTERM or SIGINT
// (a second signal exits at once). ROLE=all runs the workers in a thread of this
// process unless WORKER_THREAD=false (workerThread.ts says why).
// The app is imported only once tracing (if on) has started: its instrumentations patch
// pg and ioredis as they load.
import type { App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startTracing } from './tracing/tracing.js';

async function start(config: Config): Promise<App> {
  const [{ startApp }, { startWorkerThread }] = await Promise.all([import('./app.js'), import('./workerThread.js')]);
  if (config.ROLE !== 'all' || !config.WORKER_THREAD) return startApp(config);
  const logger = createLogger(config);
  // Workers first: they migrate the database, and the API is ready once it listens.
  const workers = await startWorkerThread(logger);
  let api: App;
  try {
    api = await startApp({ ...config, ROLE: 'api' }, { logger, moreMetrics: () => workers.metrics() });
  } catch (error) {
    // The workers may have started jobs already: they hand them back before the exit.
    await workers.stop();
    throw error;
  }
  return {
    ...api,
    stop: async () => {
      await Promise.all([api.stop(), workers.stop()]);
    },
  };
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const tracing = await startTracing(config);
  const app = await start(config);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      app.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalled = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      // Spans still buffered go out before the exit.
      () => (tracing?.stop() ?? Promise.resolve()).catch(() => undefined).then(() => process.exit(0)),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  console.error('jobgraph failed to start:', error);
  process.exit(1);
});
