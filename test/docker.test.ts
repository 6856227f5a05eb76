// The Docker files, checked as far as this machine can without a Docker engine: the
// build context leaves out what must not go in, the image's user can write OUTPUT_DIR,
// one image is built once, and compose parses without API_KEYS (Debian's
// docker-compose, when installed).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, ROOT), 'utf8');

function hasDockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

it('keeps node_modules, builds and the host\'s generated client out of the build context', () => {
  const ignored = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'packages/*/dist', 'dist', 'src/generated', 'output', '.git', 'test']));
});

it('gives the image\'s user a writable OUTPUT_DIR, and installs the client workspace\'s manifest before npm ci', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/mkdir -p \/app\/output && chown node:node \/app\/output\s+USER node/);
  expect(dockerfile.indexOf('COPY packages/client/package.json')).toBeLessThan(dockerfile.indexOf('RUN npm ci'));
});

it.runIf(hasDockerCompose())('compose parses without API_KEYS, builds one service image that both services use, and the team\'s worker image apart', () => {
  const env = { ...process.env };
  delete env.API_KEYS;
  const config = execFileSync('docker-compose', ['config'], { cwd: ROOT, env, encoding: 'utf8' });
  expect(config.match(/^\s+build:/gm)).toHaveLength(2);
  expect(config.match(/image: jobgraph:local/g)).toHaveLength(2);
  expect(config).toMatch(/pull_policy: never/);
  expect(config).toMatch(/dockerfile: examples\/remote-worker\/Dockerfile/);
  // Only with --profile remote-worker: plain `docker compose up` stays what the README says.
  expect(config).toMatch(/profiles:\s+- remote-worker/);
  expect(config).toMatch(/JOBGRAPH_URL: http:\/\/api:4000\/graphql/);
});

it('builds the service image from the packages (no team code in it) and the team\'s worker from its own project', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile.indexOf('COPY packages/worker/package.json')).toBeLessThan(dockerfile.indexOf('RUN npm ci'));
  expect(dockerfile).toMatch(/COPY --from=build \/app\/packages\/worker\/dist/);
  const team = read('examples/remote-worker/Dockerfile');
  expect(team).toMatch(/npm pack/);
  expect(team).toMatch(/CMD \["node", "dist\/worker.js"\]/);
  expect(team).not.toMatch(/COPY src /);
});
