// JSON as PostgreSQL's jsonb accepts it. jsonb refuses the NUL character and unpaired
// UTF-16 surrogates, which JavaScript strings allow: payloads with them are refused
// at submit, and handler results and error messages are mended before they are stored.

/** Deepest nesting a payload may have. */
export const MAX_JSON_DEPTH = 64;

/** A reason the value cannot be stored, with the path to the offending part; null when it can. */
export function jsonProblem(value: unknown, path: string[] = [], depth = 0): { path: string[]; message: string } | null {
  if (depth > MAX_JSON_DEPTH) return { path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (typeof value === 'string') return stringProblem(value) ? { path, message: stringProblem(value) as string } : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = stringProblem(key);
    if (keyProblem) return { path: [...path, key], message: `key ${keyProblem}` };
    const problem = jsonProblem(item, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return null;
}

function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains the NUL character (\\u0000), which cannot be stored';
  if (!text.isWellFormed()) return 'contains an unpaired UTF-16 surrogate, which cannot be stored';
  return null;
}

/** The text with what PostgreSQL cannot store replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/**
 * A JSON copy of a handler's result with every string and key made storable.
 * Throws a TypeError for what JSON cannot hold (a BigInt, a cycle).
 */
export function storableJson(value: unknown): unknown {
  return mend(JSON.parse(JSON.stringify(value ?? null)) as unknown);
}

function mend(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(mend);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), mend(item)]));
  }
  return value;
}
