import { InvalidArgumentError } from './errors.js';

// Job ids are UUIDs (version 7: time-ordered, so new rows land at the end of the index).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A job id argument, checked: a BAD_USER_INPUT naming `field` when it is not a UUID. */
export function checkJobId(field: (string | number)[], id: string): string {
  if (!isUuid(id)) throw new InvalidArgumentError(field, `"${id.slice(0, 100)}" is not a job id (a UUID)`);
  return id;
}

const EVENT_ID = /^\d{1,19}$/;

/** An event id (a cursor) as given by a client, or null when it is not one. */
export function parseEventId(value: string): bigint | null {
  if (!EVENT_ID.test(value)) return null;
  const id = BigInt(value);
  return id <= 9_223_372_036_854_775_807n ? id : null;
}
