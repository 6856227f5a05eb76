// A small typed client for jobgraph: queries and mutations over HTTP (fetch), live
// updates over graphql-ws. Its documents are typed from schema.graphql by codegen.
import { parse, print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ClientFlowFragment, ClientJobFragment, SubmitFlowInput, SubmitJobInput } from './gql/graphql.js';
import { CancelJobDocument, CreateJobTokenDocument, JobDocument, SubmitFlowDocument, WatchFlowDocument, RetryJobDocument, SubmitJobDocument, SubmitJobsDocument, WatchJobDocument } from './operations.js';

export type Job = ClientJobFragment;
export type Flow = ClientFlowFragment;
export type { SubmitFlowInput, SubmitJobInput };
// The codes the service sends (GraphQL errors' extensions.code; userErrors' code), as
// const objects and types, so callers compare with ErrorCode.NOT_FOUND and not a string.
export { ErrorCode, UserErrorCode } from './gql/codes.js';

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
  /**
   * A token (JWT) to act as a signed-in user, or a function returning a current one. A
   * function is called before each request and each WebSocket (re)connect, so it can
   * refresh a token about to expire; when a subscription ends because its token expired,
   * the client signs in again with it on a fresh connection and resubscribes.
   */
  token?: string | (() => string | Promise<string>);
  /**
   * How often the WebSocket reconnects by itself before subscriptions see the break
   * (graphql-ws resends each subscription as first sent). 0 hands every break to the
   * subscriber, which resubscribes with its own cursor (the dashboard does). Default 5.
   */
  retryAttempts?: number;
  /** Told when the WebSocket connects (true) and closes (false). */
  onConnection?: (connected: boolean) => void;
  /** A WebSocket class where there is no global one (Node 20: `import { WebSocket } from 'ws'`). */
  webSocketImpl?: unknown;
}

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** A WebSocket connection and the subscriptions on it; a stale one (its token expired) takes no new ones. */
interface Socket {
  client: Client;
  active: number;
  stale: boolean;
}

type GraphQLErrorLike = { message: string; extensions?: { code?: string } };

/** A JobgraphError from GraphQL errors, with their codes. */
function fromGraphQLErrors(errors: readonly GraphQLErrorLike[]): JobgraphError {
  return new JobgraphError(errors.map((error) => error.message).join('; '), [], errors.map((error) => error.extensions?.code ?? ''));
}

/** graphql-ws hands a subscription's GraphQL errors to its error sink as an array. */
function unauthenticated(error: unknown): boolean {
  return Array.isArray(error) && error.some((item: { extensions?: { code?: string } }) => item?.extensions?.code === 'UNAUTHENTICATED');
}

export function createJobgraphClient(options: ClientOptions) {
  const refreshes = typeof options.token === 'function';
  async function authorization(): Promise<Record<string, string>> {
    const credential = typeof options.token === 'function' ? await options.token() : (options.token ?? options.apiKey);
    return credential ? { authorization: `Bearer ${credential}` } : {};
  }
  let current: Socket | undefined;
  const sockets = new Set<Socket>();
  function socket(): Socket {
    if (current && !current.stale) return current;
    current = {
      // connectionParams is called at every (re)connect: a fresh token each time.
      client: createClient({
        url: options.url.replace(/^http/, 'ws'),
        webSocketImpl: options.webSocketImpl,
        connectionParams: authorization,
        retryAttempts: options.retryAttempts ?? 5,
        on: { connected: () => options.onConnection?.(true), closed: () => options.onConnection?.(false) },
      }),
      active: 0,
      stale: false,
    };
    sockets.add(current);
    return current;
  }
  function release(used: Socket): void {
    used.active--;
    if (used.stale && used.active === 0) {
      sockets.delete(used);
      void used.client.dispose();
    }
  }

  /** The socket for one subscription, and its release (once, however often called). */
  function lease(): { used: Socket; done: () => void } {
    const used = socket();
    used.active++;
    let released = false;
    return {
      used,
      done: () => {
        if (released) return;
        released = true;
        release(used);
      },
    };
  }

  async function request<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(await authorization()) };
    const response = await fetch(options.url, { method: 'POST', headers, body: JSON.stringify({ query: print(document), variables }) });
    const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length || !body.data) {
      throw body.errors?.length ? fromGraphQLErrors(body.errors) : new JobgraphError(`HTTP ${response.status}`);
    }
    return body.data;
  }

  function unwrap<T>(payload: { userErrors: UserError[] } & T): T {
    if (payload.userErrors.length) throw new JobgraphError(payload.userErrors.map((error) => error.message).join('; '), payload.userErrors);
    return payload;
  }

  const client = {
    /**
     * Any other operation: a typed document (from `graphql()` of a codegen client preset,
     * typed by its own variables and result), or GraphQL source, untyped.
     */
    query<T = Record<string, unknown>, V = Record<string, unknown>>(query: TypedDocumentNode<T, V> | string, variables: V = {} as V): Promise<T> {
      return request(typeof query === 'string' ? (parse(query) as TypedDocumentNode<T, V>) : query, variables);
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
    /**
     * A token that reads this one job only, for a browser to watch it (createJobToken):
     * lasts `ttlSeconds`, at most the server's JOB_TOKEN_TTL_SECONDS (its default).
     */
    async createJobToken(id: string, ttlSeconds?: number): Promise<{ token: string; expiresAt: string }> {
      const payload = unwrap((await request(CreateJobTokenDocument, { id, ttlSeconds })).createJobToken);
      return { token: payload.token as string, expiresAt: String(payload.expiresAt) };
    },
    /** Calls `onUpdate` with the job now and after each change; returns the unsubscribe. */
    watchJob(id: string, onUpdate: (job: Job) => void, onError: (error: unknown) => void = () => undefined): () => void {
      let stopped = false;
      let stop = () => undefined as void;
      const start = () => {
        const { used, done } = lease();
        const unsubscribe = used.client.subscribe<{ jobUpdated: Job }>(
          { query: print(WatchJobDocument), variables: { id } },
          {
            next: ({ data, errors }) => (errors?.length ? onError(fromGraphQLErrors(errors as GraphQLErrorLike[])) : data && onUpdate(data.jobUpdated)),
            error: (error) => {
              // The token expired: sign in again on a fresh connection (a new token) and go on.
              if (refreshes && unauthenticated(error) && !stopped) {
                used.stale = true;
                done();
                start();
                return;
              }
              done();
              onError(Array.isArray(error) ? fromGraphQLErrors(error as GraphQLErrorLike[]) : error);
            },
            complete: done,
          },
        );
        stop = () => {
          unsubscribe();
          done();
        };
      };
      start();
      return () => {
        stopped = true;
        stop();
      };
    },
    /** Submits jobs that wait for each other (`dependsOn` names other jobs' keys): all or nothing. */
    async submitFlow(input: SubmitFlowInput): Promise<Flow> {
      return unwrap((await request(SubmitFlowDocument, { input })).submitFlow).flow as Flow;
    },
    /** Calls `onUpdate` with the flow now and after each change of one of its jobs; returns the unsubscribe. */
    watchFlow(id: string, onUpdate: (flow: Flow) => void, onError: (error: unknown) => void = () => undefined): () => void {
      return client.subscribe<{ flowUpdated: Flow }>(print(WatchFlowDocument), { id }, {
        next: ({ data }) => data && onUpdate(data.flowUpdated),
        error: onError,
        complete: () => undefined,
      });
    },
    /**
     * Any subscription (a typed document, or GraphQL source, untyped) on the client's
     * WebSocket; returns the unsubscribe. GraphQL errors reach `error` as a JobgraphError
     * with their codes.
     */
    subscribe<T = Record<string, unknown>, V = Record<string, unknown>>(
      document: TypedDocumentNode<T, V> | string,
      variables: V,
      sink: { next: (result: { data?: T | null }) => void; error: (error: unknown) => void; complete: () => void },
    ): () => void {
      const { used, done } = lease();
      let ended = false;
      const query = typeof document === 'string' ? document : print(document);
      const unsubscribe = used.client.subscribe<T>(
        { query, variables: variables as Record<string, unknown> },
        {
          next: (result) => {
            if (ended) return;
            if (!result.errors?.length) return sink.next({ data: result.data });
            // A result with errors ends this subscription here, so one resubscribing never leaves the old one running.
            ended = true;
            unsubscribe();
            done();
            sink.error(fromGraphQLErrors(result.errors as GraphQLErrorLike[]));
          },
          error: (error) => {
            if (ended) return;
            ended = true;
            // An expired token: the next subscribe gets a fresh connection (and token).
            if (refreshes && unauthenticated(error)) used.stale = true;
            done();
            sink.error(Array.isArray(error) ? fromGraphQLErrors(error as GraphQLErrorLike[]) : error);
          },
          complete: () => {
            if (ended) return;
            ended = true;
            done();
            sink.complete();
          },
        },
      );
      return () => {
        ended = true;
        unsubscribe();
        done();
      };
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
      await Promise.all([...sockets].map((used) => used.client.dispose()));
      sockets.clear();
      current = undefined;
    },
  };
  return client;
}

export type JobgraphClient = ReturnType<typeof createJobgraphClient>;
