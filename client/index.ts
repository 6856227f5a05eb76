// A small typed client for jobgraph: queries and mutations over HTTP (fetch), live
// updates over graphql-ws. Its documents are typed from schema.graphql by codegen.
import { parse, print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ClientJobFragment, SubmitJobInput } from './gql/graphql.js';
import { CancelJobDocument, JobDocument, RetryJobDocument, SubmitJobDocument, SubmitJobsDocument, WatchJobDocument } from './operations.js';

export type Job = ClientJobFragment;
export type { SubmitJobInput };

export interface UserError {
  code: string;
  field?: string[] | null;
  message: string;
}

/** A request the service refused (userErrors) or could not answer (GraphQL errors). */
export class JobgraphError extends Error {
  constructor(
    message: string,
    readonly userErrors: UserError[] = [],
    readonly codes: string[] = [],
  ) {
    super(message);
    this.name = 'JobgraphError';
  }
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An API key's secret, when the service has keys. */
  apiKey?: string;
  /** A WebSocket class where there is no global one (Node 20: `import { WebSocket } from 'ws'`). */
  webSocketImpl?: unknown;
}

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export function createJobgraphClient(options: ClientOptions) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let ws: Client | undefined;
  const socket = () =>
    (ws ??= createClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: options.webSocketImpl,
      connectionParams: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    }));

  async function request<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
    const response = await fetch(options.url, { method: 'POST', headers, body: JSON.stringify({ query: print(document), variables }) });
    const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length || !body.data) {
      throw new JobgraphError(body.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`, [], body.errors?.map((error) => error.extensions?.code ?? '') ?? []);
    }
    return body.data;
  }

  function unwrap<T>(payload: { userErrors: UserError[] } & T): T {
    if (payload.userErrors.length) throw new JobgraphError(payload.userErrors.map((error) => error.message).join('; '), payload.userErrors);
    return payload;
  }

  const client = {
    /** Any other operation, untyped: `query` is GraphQL source. */
    query<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      return request(parse(query) as TypedDocumentNode<T, Record<string, unknown>>, variables);
    },
    async submitJob(input: SubmitJobInput): Promise<Job> {
      return unwrap((await request(SubmitJobDocument, { input })).submitJob).job as Job;
    },
    async submitJobs(input: SubmitJobInput[]): Promise<Job[]> {
      return unwrap((await request(SubmitJobsDocument, { input })).submitJobs).jobs;
    },
    async job(id: string): Promise<Job | null> {
      return (await request(JobDocument, { id })).job ?? null;
    },
    async cancelJob(id: string): Promise<Job> {
      return unwrap((await request(CancelJobDocument, { id })).cancelJob).job as Job;
    },
    async retryJob(id: string): Promise<Job> {
      return unwrap((await request(RetryJobDocument, { id })).retryJob).job as Job;
    },
    /** Calls `onUpdate` with the job now and after each change; returns the unsubscribe. */
    watchJob(id: string, onUpdate: (job: Job) => void, onError: (error: unknown) => void = () => undefined): () => void {
      return socket().subscribe<{ jobUpdated: Job }>(
        { query: print(WatchJobDocument), variables: { id } },
        { next: ({ data, errors }) => (errors?.length ? onError(new JobgraphError(errors.map((e) => e.message).join('; '))) : data && onUpdate(data.jobUpdated)), error: onError, complete: () => undefined },
      );
    },
    /** Resolves with the job once it is COMPLETED, FAILED or CANCELLED. */
    waitForJob(id: string, timeoutMs = 60_000): Promise<Job> {
      return new Promise<Job>((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(new JobgraphError(`job ${id} not finished within ${timeoutMs} ms`));
        }, timeoutMs);
        const stop = client.watchJob(
          id,
          (job) => {
            if (!FINAL.has(job.status)) return;
            clearTimeout(timer);
            stop();
            resolve(job);
          },
          (error) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    },
    async close(): Promise<void> {
      await ws?.dispose();
    },
  };
  return client;
}

export type JobgraphClient = ReturnType<typeof createJobgraphClient>;
