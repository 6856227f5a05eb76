// Users' own job types: every .js/.mjs/.ts module in HANDLERS_DIR is imported at start,
// and each export that looks like a handler (name, payload schema, run) is registered.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.js';
import type { JobHandler } from './handler.js';

function isHandler(value: unknown): value is JobHandler {
  const candidate = value as Partial<JobHandler> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function' &&
    typeof (candidate.payload as { safeParse?: unknown } | undefined)?.safeParse === 'function'
  );
}

export async function loadHandlers(dir: string | undefined, logger: Logger): Promise<JobHandler[]> {
  if (!dir) return [];
  const root = resolve(dir);
  const files = (await readdir(root)).filter((file) => /\.(m?js|ts)$/.test(file) && !file.endsWith('.d.ts')).sort();
  const handlers: JobHandler[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
    const found = Object.values(module).filter(isHandler);
    if (found.length === 0) logger.warn({ file }, 'no job handler exported by this module');
    handlers.push(...found);
  }
  logger.info({ dir: root, types: handlers.map((handler) => handler.name) }, 'job types loaded from HANDLERS_DIR');
  return handlers;
}
