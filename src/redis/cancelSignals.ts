// Tells the worker process running a job that the job was cancelled, over Redis pub/sub:
// the API instance that cancelled it does not know which worker holds it.
import type { Redis } from 'ioredis';
import { within } from './within.js';

export class CancelSignals {
  private subscriber: Redis | undefined;

  constructor(
    private readonly publisher: Redis,
    private readonly channel: string,
    private readonly timeoutMs: number,
  ) {}

  /** Asks whichever worker runs this job to abort it. */
  async send(jobId: string): Promise<void> {
    await within(this.publisher.publish(this.channel, jobId), this.timeoutMs, 'telling workers of a cancel');
  }

  /** Calls `onCancel` for every job cancelled anywhere; one dedicated connection per process. */
  async listen(onCancel: (jobId: string) => void): Promise<void> {
    this.subscriber = this.publisher.duplicate();
    this.subscriber.on('error', () => undefined); // the main connection logs Redis trouble
    this.subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === this.channel) onCancel(jobId);
    });
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    this.subscriber = undefined;
  }
}
