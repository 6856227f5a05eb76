// The event bus between processes: Yoga's pub/sub over its Redis event target, with
// its own publish and subscribe connections. Each statement's events go out as one
// message, after the statement has committed.
//
// Redis pub/sub forgets what it could not deliver, so the bus is only the fast path:
// the hub (hub.ts) fills any gap from PostgreSQL, which holds every event.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { duplicate, type RedisClient } from '../redis/connection.js';
import type { Change } from '../domain/transitions.js';
import type { Logger } from '../logger.js';
import { toMessage, type EventMessage } from './message.js';

const WARN_EVERY_MS = 10_000;

export class EventBus {
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly target: ReturnType<typeof createRedisEventTarget>;
  private readonly pubsub: PubSub<Record<string, [EventMessage[]]>>;
  private lastWarning = 0;

  constructor(
    connection: RedisClient,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {
    // Publishing never waits for an absent Redis: the event is in PostgreSQL already.
    this.publisher = duplicate(connection, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.subscriber = duplicate(connection);
    for (const client of [this.publisher, this.subscriber]) client.on('error', () => undefined); // logged by the main connection
    // The event target calls publish() and drops its promise; catch here so a Redis
    // outage is a logged warning, not an unhandled rejection.
    const publishClient = {
      publish: (channel: string, message: string) => this.publisher.publish(channel, message).catch((error: unknown) => this.warn(error)),
    } as unknown as RedisClient;
    this.target = createRedisEventTarget({ publishClient, subscribeClient: this.subscriber });
    this.pubsub = createPubSub({ eventTarget: this.target });
  }

  publish(changes: Change[]): void {
    this.pubsub.publish(this.topic, changes.map(toMessage));
  }

  /** Calls `onEvents` with every message, in the order Redis delivers them. */
  listen(onEvents: (events: EventMessage[]) => void): void {
    this.target.addEventListener(this.topic, (event) => onEvents((event as CustomEvent<EventMessage[]>).detail));
  }

  /** Calls `onReady` whenever the subscribe connection (re)connects: messages may have been lost. */
  onReconnect(onReady: () => void): void {
    this.subscriber.on('ready', onReady);
  }

  async close(): Promise<void> {
    for (const client of [this.publisher, this.subscriber]) {
      if (client.status === 'ready') await client.quit().catch(() => undefined);
      client.disconnect();
    }
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn({ err: error }, 'job events not published to Redis; subscribers will read them from PostgreSQL');
  }
}
