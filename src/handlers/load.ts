// Users' own job types: the .js/.mjs/.ts modules in HANDLERS_DIR are imported at start
// (API processes need their payload schemas, workers their run functions), and each
// export that looks like a handler (name, payload schema, run) is registered. Files
// whose names start with _ or . and test files are never imported; a module that
// exports no handler stops the start, so a stray file is found rather than run quietly.
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

/** A module file of handlers: not a declaration, a test, or a helper named with _ or . first. */
export function isHandlerModule(file: string): boolean {
  return /\.(m?js|ts)$/.test(file) && !/\.d\.ts$|\.(test|spec)\.[mc]?[jt]s$/.test(file) && !/^[_.]/.test(file);
}

export async function loadHandlers(dir: string | undefined, logger: Logger): Promise<JobHandler[]> {
  if (!dir) return [];
  const root = resolve(dir);
  const files = (await readdir(root)).filter(isHandlerModule).sort();
  const handlers: JobHandler[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
    const found = Object.values(module).filter(isHandler);
    if (found.length === 0) {
      throw new Error(`HANDLERS_DIR: ${file} exports no job handler; move it out of ${root} or start its name with _`);
    }
    logger.info({ file, types: found.map((handler) => handler.name) }, 'job types loaded from HANDLERS_DIR');
    handlers.push(...found);
  }
  return handlers;
}
