// Starts bench/remoteWorker.ts as its own process and waits until it is registered.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export async function startRemoteWorker(url: string, concurrency: number): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', new URL('./remoteWorker.ts', import.meta.url).pathname, url, String(concurrency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench\'s remote worker did not register')), 20_000);
    child.once('exit', (code) => reject(new Error(`the bench's remote worker exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
