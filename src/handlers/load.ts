// Users' own job types run in the service's processes: the .js/.mjs/.ts modules in
// HANDLERS_DIR are imported at start (API processes need their payload schemas, workers
// their run functions), and each export that is a handler (@jobgraph/worker's
// defineHandler: name, Standard Schema payload, run) is registered. Files whose names
// start with _ or . and test files are never imported; a module that exports no handler
// stops the start, so a stray file is found rather than run quietly.
//
// .ts modules load the same way from a checkout (npm start, under tsx) and from the
// compiled service (node dist/src/index.js, what the image runs): through tsx's
// tsImport, which compiles them as they load without registering anything globally.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isHandler } from '@jobgraph/worker';
import type { Logger } from '../logger.js';
import type { JobHandler } from './handler.js';

async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!file.endsWith('.ts')) return (await import(url)) as Record<string, unknown>;
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch {
    throw new Error(`HANDLERS_DIR: ${file} is TypeScript and this installation has no tsx to load it; compile it (tsc) and put the .js in HANDLERS_DIR`);
  }
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
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
    const module = await importModule(join(root, file));
    const found = Object.values(module).filter(isHandler) as JobHandler[];
    if (found.length === 0) {
      throw new Error(`HANDLERS_DIR: ${file} exports no job handler; move it out of ${root} or start its name with _`);
    }
    logger.info({ file, types: found.map((handler) => handler.name) }, 'job types loaded from HANDLERS_DIR');
    handlers.push(...found);
  }
  return handlers;
}
