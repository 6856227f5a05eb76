// Group commit: at most one call of `run` in flight; what is added meanwhile waits and
// goes in the next call, so a statement carries more work the busier the service is
// (a fixed flush interval would batch by luck). At rest, an item waits only for the
// end of the current turn of the event loop, so that calls made together share one
// statement. Workers start and complete many jobs at once; one statement for all of
// them costs one round trip and one commit instead of one each.
export interface BatchLimits<T> {
  /** Most items in one call. */
  maxItems: number;
  /** Most bytes in one call (as `bytes` estimates them): one statement's parameters must stay far below PostgreSQL's 1 GB. */
  maxBytes?: number;
  bytes?: (item: T) => number;
}

export class Batcher<T, R> {
  private pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = false;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly limits: BatchLimits<T>,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.inFlight || this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    });
  }

  private flush(): void {
    if (this.inFlight || this.pending.length === 0) return;
    // Up to maxItems and maxBytes, but always at least one item.
    const { maxItems, maxBytes = Infinity, bytes = () => 0 } = this.limits;
    let size = 0;
    let count = 0;
    while (count < this.pending.length && count < maxItems) {
      const next = bytes(this.pending[count]!.item);
      if (count > 0 && size + next > maxBytes) break;
      size += next;
      count++;
    }
    const batch = this.pending.splice(0, count);
    this.inFlight = true;
    this.run(batch.map((entry) => entry.item))
      .then(
        (results) => batch.forEach((entry, index) => entry.resolve(results[index] as R)),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        this.inFlight = false;
        this.flush();
      });
  }
}
