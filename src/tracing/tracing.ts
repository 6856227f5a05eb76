// Tracing with OpenTelemetry, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. When on, one
// trace runs from the request that submitted a job (its `traceparent` header joined, if
// the caller sent one) through each attempt of the job, in whichever process or thread
// runs it, to the statement that recorded its outcome: the job row keeps the submitter's
// traceparent (`trace_parent`), so the context travels with the job through PostgreSQL,
// which outlives Redis. PostgreSQL and Redis calls made inside are spans of their own
// (the OpenTelemetry instrumentations of pg and ioredis), and log lines written inside a
// span carry its trace_id and span_id.
//
// Off, nothing of the SDK is loaded: the code below calls @opentelemetry/api, whose
// tracer without a provider hands out non-recording spans, and writes no traceparent.
// The standard variables are honoured by the SDK itself (OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_BSP_*, OTEL_TRACES_SAMPLER, ...); config.ts checks
// those it documents.
import { register } from 'node:module';
import { context, INVALID_SPAN_CONTEXT, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { Config } from '../config.js';

export const tracer = trace.getTracer('jobgraph');

export interface Tracing {
  /** Sends what is buffered and stops (at shutdown). */
  stop(): Promise<void>;
}

type TracingConfig = Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_PROTOCOL' | 'OTEL_SERVICE_NAME'>;

let enabled = false;

/**
 * Starts tracing in this thread if it is configured. Call it before anything imports pg,
 * ioredis or BullMQ: the instrumentations patch those modules as they are loaded (ESM
 * imports through the loader hook registered here, require() through its own).
 */
export async function startTracing(config: TracingConfig, thread: 'main' | 'workers' = 'main'): Promise<Tracing | null> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  // Only the modules instrumented are wrapped: the hook would otherwise wrap every module loaded after it.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['pg', 'pg-pool', 'ioredis'] } });
  const [{ NodeTracerProvider, BatchSpanProcessor }, { resourceFromAttributes }, { registerInstrumentations }, { PgInstrumentation }, { IORedisInstrumentation }, exporter] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
    // Both read the endpoint, headers and timeout from the standard variables.
    config.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http').then(({ OTLPTraceExporter }) => new OTLPTraceExporter())
      : import('@opentelemetry/exporter-trace-otlp-proto').then(({ OTLPTraceExporter }) => new OTLPTraceExporter()),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME, 'jobgraph.thread': thread }),
    // Its delays and sizes come from OTEL_BSP_*.
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // The global provider, AsyncLocalStorage context and W3C trace-context propagation.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    // Only calls made inside a trace: not BullMQ's polling and lock renewals of idle workers.
    instrumentations: [new PgInstrumentation({ requireParentSpan: true }), new IORedisInstrumentation({ requireParentSpan: true })],
  });
  enabled = true;
  return { stop: () => provider.shutdown() };
}

/** The traceparent to store with a job submitted now, or null (tracing off, or nothing traced). */
export function currentTraceParent(): string | null {
  if (!enabled) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** Runs `work` in a SERVER span joined to the caller's `traceparent` header, if any (an HTTP request). */
export function inRequestSpan<T>(name: string, headers: Record<string, string | string[] | undefined>, work: (span: Span) => T): T {
  if (!enabled) return work(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return tracer.startActiveSpan(name, { kind: SpanKind.SERVER }, parent, work);
}

/** BullMQ's errors that move a job on (retry later, failed for good): flow, not faults of the attempt. */
const CONTROL_FLOW = new Set(['DelayedError', 'UnrecoverableError', 'RateLimitError']);

/** Runs one attempt of a job in a CONSUMER span of the trace its submitter began. */
export async function inAttemptSpan<T>(job: { id: string; type: string; attempts: number; traceParent: string | null }, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const parent: Context = job.traceParent ? propagation.extract(ROOT_CONTEXT, { traceparent: job.traceParent }) : ROOT_CONTEXT;
  const attributes = { 'jobgraph.job.id': job.id, 'jobgraph.job.type': job.type, 'jobgraph.attempt': job.attempts };
  return tracer.startActiveSpan(`attempt ${job.type}`, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      if (!CONTROL_FLOW.has((error as Error).name)) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Notes an attempt's outcome on its span (a failed attempt is an error of the span). */
export function recordOutcomeOnSpan(kind: string, error?: { name: string; message: string } | null): void {
  if (!enabled) return;
  const span = trace.getActiveSpan();
  span?.setAttribute('jobgraph.outcome', kind);
  if (kind === 'failed' && error) span?.setStatus({ code: SpanStatusCode.ERROR, message: `${error.name}: ${error.message}` });
}

/** What a log line written now carries of the active span: nothing when tracing is off. */
export function traceFields(): { trace_id: string; span_id: string } | Record<string, never> {
  if (!enabled) return {};
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
