// Runs the service as a separate process, as `npm start` does, so tests can check what
// crosses process boundaries (and later kill one).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  /** Lines the process logged (pino JSON), for failure messages. */
  output: string[];
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** Starts `npm start`'s command (or `args`, e.g. the compiled build) with `env`. */
export async function startServiceProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
  args = ['--conditions=source', '--import', 'tsx', 'src/index.ts'],
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service process did not start:\n${output.join('\n')}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`service process exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { port?: number; msg?: string };
        if (entry.msg?.startsWith('jobgraph listening') && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not JSON: keep it in the output only
      }
    });
  });
  return {
    child,
    port,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
