// image.resize: scales an image (from a URL or base64) and writes it to OUTPUT_DIR; the
// result says where it went and how big it is. Bounded at every step: the source's
// bytes while they download, its pixels before decoding, the output's dimensions at
// submit, how many resizes run at once, and the memory of the process doing it.
import { z } from 'zod';
import type { OutputDir } from '../files/outputDir.js';
import { readBounded } from '../net/fetch.js';
import { defineHandler, PermanentError } from './handler.js';
import { fetchOrRefuse, publicUrl, type NetSettings } from './httpRequest.js';
import { ImageWorkError, resizeInChild } from './imageProcess.js';
import { Semaphore } from './semaphore.js';

/** Largest source, downloaded or inline. */
export const MAX_SOURCE_BYTES = 25 * 1024 * 1024;
/** Largest output side, in pixels. */
export const MAX_DIMENSION = 4096;
/** Most pixels a source may declare (a decompression bomb declares many in few bytes). */
export const MAX_INPUT_PIXELS = 40_000_000;

export interface ImageSettings {
  output: OutputDir;
  net: NetSettings;
  /** Resizes running at once in this process. */
  concurrency: number;
  maxMemoryBytes: number;
}

export function imageResize(settings: ImageSettings) {
  const slots = new Semaphore(settings.concurrency);
  return defineHandler({
    name: 'image.resize',
    description: `Resizes an image given as an http(s) URL or base64 (optionally a data: URL) to \`width\` (and \`height\`, else keeping the aspect ratio; each at most ${MAX_DIMENSION}), as jpeg, png, webp or avif. Sources up to ${MAX_SOURCE_BYTES} bytes and ${MAX_INPUT_PIXELS} pixels. Completes with { path, format, width, height, bytes }.`,
    payload: z
      .object({
        source: z.union([publicUrl(settings.net.policy), z.string().min(1).max(15_000_000).regex(/^(?!https?:)/i, 'must be an http(s) URL or base64')]),
        width: z.number().int().min(1).max(MAX_DIMENSION),
        height: z.number().int().min(1).max(MAX_DIMENSION).optional(),
        format: z.enum(['jpeg', 'png', 'webp', 'avif']).default('webp'),
      })
      .strict(),
    async run({ source, width, height, format }, ctx) {
      let input: Buffer;
      if (/^https?:\/\//i.test(source)) {
        const response = await fetchOrRefuse(() => settings.net.fetch(source, { signal: ctx.signal }), `GET ${source}`, ctx.signal);
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`GET ${source} answered ${response.status}`);
        }
        const read = await readBounded(response, MAX_SOURCE_BYTES);
        if (read.truncated) throw new PermanentError(`source larger than ${MAX_SOURCE_BYTES} bytes`);
        input = read.body;
      } else {
        input = Buffer.from(source.replace(/^data:[^;,]+;base64,/, ''), 'base64');
      }
      if (input.length === 0) throw new PermanentError('source is empty');
      ctx.progress(30);
      const release = await slots.acquire(ctx.signal);
      try {
        const file = await settings.output.reserve(`${ctx.jobId}.${format}`);
        try {
          const info = await resizeInChild({ input, width, height, format, path: file.partPath, maxInputPixels: MAX_INPUT_PIXELS }, ctx.signal, settings.maxMemoryBytes);
          if (info.size > file.maxBytes) throw new PermanentError(`the image (${info.size} bytes) would pass OUTPUT_MAX_BYTES`);
          await file.commit();
          return { path: file.path, format: info.format, width: info.width, height: info.height, bytes: info.size };
        } catch (error) {
          await file.discard();
          // sharp cannot read it, or it is too big: retrying will not help.
          if (error instanceof ImageWorkError) throw new PermanentError(error.message);
          throw error;
        }
      } finally {
        release();
      }
    },
  });
}
