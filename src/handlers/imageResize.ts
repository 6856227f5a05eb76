// image.resize: scales an image (from a URL or base64) with sharp and writes it to
// OUTPUT_DIR; the result says where it went and how big it is.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { defineHandler, PermanentError } from './handler.js';

const MAX_SOURCE_BYTES = 25 * 1024 * 1024;

export function imageResize(settings: { dir: string }) {
  return defineHandler({
    name: 'image.resize',
    description:
      'Resizes an image given as an http(s) URL or base64 (optionally a data: URL) to `width` (and `height`, else keeping the aspect ratio), as jpeg, png, webp or avif. Completes with { path, format, width, height, bytes }.',
    payload: z
      .object({
        source: z.string().min(1).max(15_000_000),
        width: z.number().int().min(1).max(10_000),
        height: z.number().int().min(1).max(10_000).optional(),
        format: z.enum(['jpeg', 'png', 'webp', 'avif']).default('webp'),
      })
      .strict(),
    async run({ source, width, height, format }, ctx) {
      let input: Buffer;
      if (/^https?:\/\//.test(source)) {
        const response = await fetch(source, { signal: ctx.signal });
        if (!response.ok) throw new Error(`GET ${source} answered ${response.status}`);
        if (Number(response.headers.get('content-length') ?? 0) > MAX_SOURCE_BYTES) throw new PermanentError(`source larger than ${MAX_SOURCE_BYTES} bytes`);
        input = Buffer.from(await response.arrayBuffer());
      } else {
        input = Buffer.from(source.replace(/^data:[^;,]+;base64,/, ''), 'base64');
      }
      if (input.length === 0 || input.length > MAX_SOURCE_BYTES) throw new PermanentError('source is empty or too large');
      ctx.progress(30);
      await mkdir(settings.dir, { recursive: true });
      const path = resolve(join(settings.dir, `${ctx.jobId}.${format}`));
      try {
        const info = await sharp(input, { limitInputPixels: 100_000_000 }).resize(width, height).toFormat(format).toFile(path);
        return { path, format: info.format, width: info.width, height: info.height, bytes: info.size };
      } catch (error) {
        // sharp cannot read it: retrying will not help.
        throw new PermanentError(`not an image sharp can read: ${(error as Error).message}`);
      }
    },
  });
}
