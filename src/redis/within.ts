// Redis calls made while a client waits must not hang for as long as Redis is away
// (the connection queues commands until it is back, as BullMQ needs it to).

export class RedisTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/** Settles like `promise`, or rejects with RedisTimeoutError after `ms`; the command itself may still run later. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
    timer.unref();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
