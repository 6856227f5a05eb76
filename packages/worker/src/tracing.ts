// Joins the job's trace in your process, when it uses OpenTelemetry. The service sends
// each job with its attempt's span (WorkItem.traceparent) when it traces; if
// @opentelemetry/api is installed here (an optional peer dependency) the handler runs in
// a CONSUMER span under it, so your own spans, and your instrumentations' (HTTP, your
// database), land in the trace that began at the submit. Without a registered SDK the
// API is a no-op; without the package, or without a traceparent, nothing is loaded.
import type { WorkItem } from './protocol.js';

type OpenTelemetry = typeof import('@opentelemetry/api');

let api: Promise<OpenTelemetry | null> | undefined;

/** @opentelemetry/api as your process has it, or null: loaded once, at the first traced job. */
function openTelemetry(): Promise<OpenTelemetry | null> {
  return (api ??= import('@opentelemetry/api').then(
    (module) => module,
    () => null,
  ));
}

/** Runs `run` in a span of the job's trace, when it has one and OpenTelemetry is here. */
export async function inJobSpan<T>(job: WorkItem, run: () => Promise<T>): Promise<T> {
  const otel = job.traceparent ? await openTelemetry() : null;
  if (!otel || !job.traceparent) return run();
  const parent = otel.propagation.extract(otel.ROOT_CONTEXT, { traceparent: job.traceparent });
  const attributes = { 'jobgraph.job.id': job.id, 'jobgraph.job.type': job.type, 'jobgraph.attempt': job.attempt };
  const tracer = otel.trace.getTracer('@jobgraph/worker');
  return tracer.startActiveSpan(`run ${job.type}`, { kind: otel.SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await run();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}
