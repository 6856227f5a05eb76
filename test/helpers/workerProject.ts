// A team's own project outside this repository, as the docs tell them to make it: a
// temporary directory with its own package.json that installs the packed tarballs of
// @jobgraph/worker and @jobgraph/client (npm pack, as a registry would serve them), zod
// and TypeScript, typechecks its handlers with `tsc --strict` and runs its worker with node.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/worker-project', import.meta.url).pathname;

export interface WorkerProject {
  dir: string;
  /** `tsc -p .` in the project: its output (empty when clean). */
  typecheck(): string;
  remove(): void;
}

export function makeWorkerProject(): WorkerProject {
  const dir = mkdtempSync(join(tmpdir(), 'jobgraph-team-'));
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const tarballs: Record<string, string> = {};
  for (const name of ['worker', 'client']) {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(ROOT, 'packages', name), encoding: 'utf8' })) as { filename: string }[];
    tarballs[`@jobgraph/${name}`] = `file:./${packed[0]!.filename}`;
  }
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'team-worker',
      private: true,
      type: 'module',
      dependencies: { ...tarballs, zod: root.dependencies.zod },
      devDependencies: { typescript: root.devDependencies.typescript, '@types/node': root.devDependencies['@types/node'] },
    }),
  );
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });
  return {
    dir,
    typecheck() {
      try {
        return execFileSync('npx', ['tsc', '-p', '.'], { cwd: dir, encoding: 'utf8' });
      } catch (error) {
        return String((error as { stdout?: string }).stdout ?? error);
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Its id at the service. */
  id: string;
  /** What it printed. */
  lines: string[];
  /** SIGTERM (its stop() with a grace period), then the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

/** Runs the project's compiled worker (node dist/worker.js) until it says it is registered. */
export async function startWorker(project: WorkerProject, env: Record<string, string>, timeoutMs = 20_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['dist/worker.js'], { cwd: project.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${lines.join('\n')}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`worker exited with ${code}:\n${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const ready = /^ready (\S+)$/.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
  });
  return {
    child,
    id,
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
