// Tells the process running a job that the job was cancelled, over Redis pub/sub: the
// API instance that cancelled it does not know which process holds it (a worker
// process, or the API process a remote worker is connected to).
import { duplicate, type RedisClient } from './connection.js';
import { within } from './within.js';

export class CancelSignals {
  private subscriber: RedisClient | undefined;
  private subscribed: Promise<unknown> | undefined;
  private readonly listeners = new Set<(jobId: string) => void>();

  constructor(
    private readonly publisher: RedisClient,
    private readonly channel: string,
    private readonly timeoutMs: number,
  ) {}

  /** Asks whichever process runs this job to abort it. */
  async send(jobId: string): Promise<void> {
    await within(this.publisher.publish(this.channel, jobId), this.timeoutMs, 'telling workers of a cancel');
  }

  /** Calls `onCancel` for every job cancelled anywhere (one connection per process, however many listen); returns its removal. */
  async listen(onCancel: (jobId: string) => void): Promise<() => void> {
    this.listeners.add(onCancel);
    if (!this.subscriber) {
      const subscriber = duplicate(this.publisher);
      this.subscriber = subscriber;
      subscriber.on('error', () => undefined); // the main connection logs Redis trouble
      subscriber.on('message', (channel: string, jobId: string) => {
        if (channel === this.channel) for (const listener of this.listeners) listener(jobId);
      });
      this.subscribed = subscriber.subscribe(this.channel);
    }
    await this.subscribed;
    return () => this.listeners.delete(onCancel);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    this.subscriber = undefined;
    this.subscribed = undefined;
  }
}
