// OUTPUT_DIR: where jobs write files (data.export, image.resize). Bounded two ways: a
// file older than the retention is deleted by a sweep that worker processes run,
// and a job may only write what is left of OUTPUT_MAX_BYTES when it starts (it fails,
// and its partial file goes, when it would write more).
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PermanentError } from '../domain/errors.js';
import type { Logger } from '../logger.js';

/** Suffix of a file still being written; renamed away only when the job succeeded. */
const PARTIAL = '.part';

export interface OutputSettings {
  dir: string;
  /** Files older than this are deleted; 0 keeps them. */
  retentionMs: number;
  maxBytes: number;
}

export class OutputDir {
  readonly dir: string;

  constructor(
    private readonly settings: OutputSettings,
    private readonly logger: Logger,
  ) {
    this.dir = resolve(settings.dir);
  }

  /** Bytes the files in the directory take now. */
  async used(): Promise<number> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    const sizes = await Promise.all(files.map((file) => stat(join(this.dir, file)).then((info) => info.size, () => 0)));
    return sizes.reduce((sum, size) => sum + size, 0);
  }

  /**
   * A place for one job's file, with the bytes it may write. The file is written under a
   * temporary name; `commit` gives it its final name, `discard` removes it.
   */
  async reserve(name: string): Promise<{ partPath: string; path: string; maxBytes: number; commit(): Promise<void>; discard(): Promise<void> }> {
    await mkdir(this.dir, { recursive: true });
    const maxBytes = this.settings.maxBytes - (await this.used());
    if (maxBytes <= 0) throw new PermanentError(`OUTPUT_DIR is full: its files take OUTPUT_MAX_BYTES (${this.settings.maxBytes}) already; try again once older files are deleted`);
    const path = join(this.dir, name);
    const partPath = `${path}${PARTIAL}`;
    return {
      partPath,
      path,
      maxBytes,
      commit: () => rename(partPath, path),
      discard: () => rm(partPath, { force: true }),
    };
  }

  /** How often `sweep` should run: a tenth of the retention, between 1 s and a minute. */
  get sweepIntervalMs(): number {
    const { retentionMs } = this.settings;
    return retentionMs > 0 ? Math.min(Math.max(retentionMs / 10, 1000), 60_000) : 60_000;
  }

  /** Deletes files past the retention, and partial files a killed process left (maintenance/tasks.ts runs it). */
  async sweep(now = Date.now()): Promise<number> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    let deleted = 0;
    for (const file of files) {
      const path = join(this.dir, file);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) continue;
      const age = now - info.mtimeMs;
      // A partial file not touched for an hour belongs to a process that died.
      const expired = this.settings.retentionMs > 0 && age > this.settings.retentionMs;
      if (expired || (file.endsWith(PARTIAL) && age > 3_600_000)) {
        await rm(path, { force: true });
        deleted++;
      }
    }
    if (deleted) this.logger.info({ deleted, dir: this.dir }, 'deleted job output files past their retention');
    return deleted;
  }
}
