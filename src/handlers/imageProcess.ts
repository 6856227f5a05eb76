// Runs one sharp resize in a child process of its own. Image work is the one job
// whose memory and CPU a small input can multiply (a 70-byte PNG asked to become a
// 10000x10000 AVIF), and libvips cannot be interrupted from JavaScript: in a child
// process, a cancel, a timeout or a memory limit kills the work for real, and the
// service's own heap never holds the pixels.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const SHARP_URL = pathToFileURL(createRequire(import.meta.url).resolve('sharp')).href;

// The child: gets the job over IPC, writes the file, answers with sharp's info.
const CHILD = `
const { default: sharp } = await import(${JSON.stringify(SHARP_URL)});
sharp.cache(false);
sharp.concurrency(1);
process.once('message', async ({ input, width, height, format, path, maxInputPixels }) => {
  try {
    const info = await sharp(Buffer.from(input), { limitInputPixels: maxInputPixels, failOn: 'error' })
      .resize(width, height)
      .toFormat(format)
      .toFile(path);
    process.send({ info }, () => process.exit(0));
  } catch (error) {
    process.send({ error: String(error && error.message || error) }, () => process.exit(0));
  }
});
`;

export interface ResizeRequest {
  input: Buffer;
  width: number;
  height?: number;
  format: string;
  path: string;
  maxInputPixels: number;
}

export interface ResizeInfo {
  format: string;
  width: number;
  height: number;
  size: number;
}

/** The child's resident memory in bytes, read from /proc (0 where there is none). */
async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export class ImageWorkError extends Error {}

/** Resizes in a child process; kills it when `signal` fires or its memory passes `maxMemoryBytes`. */
export function resizeInChild(request: ResizeRequest, signal: AbortSignal, maxMemoryBytes: number): Promise<ResizeInfo> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', env });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    let outcome: { info?: ResizeInfo; error?: string } | undefined;
    let killedFor: Error | undefined;
    const kill = (reason: Error) => {
      killedFor ??= reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const watch = setInterval(() => {
      void residentBytes(child.pid ?? 0).then((bytes) => {
        if (bytes > maxMemoryBytes) kill(new ImageWorkError(`image work used more than IMAGE_MAX_MEMORY_MB (${Math.round(maxMemoryBytes / 1048576)} MB) and was stopped`));
      });
    }, 100);
    child.on('message', (message) => (outcome = message as typeof outcome));
    child.on('error', (error) => kill(error));
    child.on('exit', (code, exitSignal) => {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      if (killedFor) return reject(killedFor);
      if (outcome?.info) return resolve(outcome.info);
      if (outcome?.error) return reject(new ImageWorkError(`not an image sharp can read: ${outcome.error}`));
      reject(new Error(`image process ended (${exitSignal ?? code}) without an answer: ${stderr.trim()}`));
    });
    child.send({ ...request, input: new Uint8Array(request.input.buffer, request.input.byteOffset, request.input.byteLength) });
  });
}
