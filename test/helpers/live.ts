// Subscription clients as applications use them: graphql-ws over WebSocket and
// graphql-sse over Server-Sent Events. A Feed records what a subscription received.
import { print, type DocumentNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { WebSocket } from 'ws';
import type { GraphQLResponse } from './app.js';

type Document<T, V> = TypedDocumentNode<T, V> | DocumentNode | string;

interface Sink<T> {
  next(value: GraphQLResponse<T>): void;
  error(error: unknown): void;
  complete(): void;
}

/** What one subscription has received so far. */
export class Feed<T> {
  readonly results: GraphQLResponse<T>[] = [];
  error: unknown;
  completed = false;
  private readonly waiters = new Set<() => void>();
  unsubscribe: () => void = () => undefined;

  readonly sink: Sink<T> = {
    next: (value) => this.update(() => this.results.push(value)),
    error: (error) => this.update(() => (this.error = error)),
    complete: () => this.update(() => (this.completed = true)),
  };

  /** The data of every result without errors. */
  get items(): T[] {
    return this.results.flatMap((result) => (result.data && !result.errors ? [result.data] : []));
  }

  /** Waits until `check` holds for this feed, failing after `timeoutMs`. */
  async until(check: (feed: Feed<T>) => boolean, timeoutMs = 15_000, what = 'the feed'): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; received ${this.results.length}: ${JSON.stringify(this.results).slice(0, 1000)}; error ${JSON.stringify(this.error)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this;
  }

  private update(change: () => void): void {
    change();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

export function connectWs(httpUrl: string, options: { onClosed?: (code: number) => void; authorization?: string } = {}): WsClient {
  return createWsClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    on: { closed: (event) => options.onClosed?.((event as { code: number }).code) },
  });
}

export function subscribeWs<T, V>(client: WsClient, document: Document<T, V>, variables?: V): Feed<T> {
  const feed = new Feed<T>();
  const query = typeof document === 'string' ? document : print(document);
  feed.unsubscribe = client.subscribe({ query, variables: variables as Record<string, unknown> }, feed.sink as never);
  return feed;
}

/** A subscription over Server-Sent Events (graphql-sse, distinct connections mode, which Yoga serves). */
export function subscribeSse<T, V>(httpUrl: string, document: Document<T, V>, variables?: V, authorization?: string): Feed<T> {
  const client = createSseClient({ url: httpUrl, retryAttempts: 0, headers: authorization ? { authorization } : {} });
  const feed = new Feed<T>();
  const query = typeof document === 'string' ? document : print(document);
  const unsubscribe = client.subscribe({ query, variables: variables as Record<string, unknown> }, feed.sink as never);
  feed.unsubscribe = () => {
    unsubscribe();
    client.dispose();
  };
  return feed;
}
