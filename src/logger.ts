// Structured JSON logs (pino); human-readable when stdout is a terminal in development.
// Every line logged while serving a request carries its requestId (AsyncLocalStorage),
// and a job's lines carry jobId, type and attempt (child loggers in jobs/attempt.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { traceFields } from './tracing/tracing.js';

export type { Logger };

/** What is known about the request being served, for the logs. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/**
 * `terminal`: whether the lines end up on a terminal. A worker thread's stdout is a pipe
 * to the main thread even when the process writes to a terminal, so the main thread
 * tells it (workerThread.ts).
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>, destination?: DestinationStream, terminal = process.stdout.isTTY === true): Logger {
  const pretty = !destination && config.NODE_ENV === 'development' && terminal;
  const options = {
    level: config.LOG_LEVEL,
    base: { service: 'jobgraph' },
    // Connection strings can hold passwords; API keys are secrets.
    redact: ['config.DATABASE_URL', 'config.REDIS_URL', 'config.REDIS_PASSWORD', 'config.API_KEYS', 'req.headers.authorization'],
    // A request's id, and (tracing on) the trace and span the line was written in.
    mixin: () => ({ ...requestScope.getStore(), ...traceFields() }),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
