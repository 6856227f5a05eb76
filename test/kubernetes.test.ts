// Issue 21: deploy/kubernetes/ holds what the service needs, and nothing the code would
// not understand. Every manifest the kustomization renders is validated against the
// Kubernetes API schemas (kubernetes-models: values and formats at run time; its types,
// through the TypeScript compiler, for fields Kubernetes does not have), and checked
// against the code: the probes answer on the paths given, ports and variables exist,
// the settings parse, the grace period covers SHUTDOWN_GRACE_MS, and pods run non-root
// on a read-only root filesystem.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { configSchema, loadConfig } from '../src/config.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DIR = join(ROOT, 'deploy/kubernetes');
const run = promisify(execFile);

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are walked by path */
type Manifest = Record<string, any>;

/** The manifests as `kubectl apply -k` sends them: kubectl's kustomize when installed, else the resources listed, namespaced. */
function render(): Manifest[] {
  const parse = (text: string) => parseAllDocuments(text).map((document) => document.toJSON() as Manifest).filter(Boolean);
  try {
    return parse(execFileSync('kubectl', ['kustomize', DIR], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0]!;
    return (kustomization.resources as string[])
      .flatMap((file) => parse(readFileSync(join(DIR, file), 'utf8')))
      .map((manifest) => (manifest.kind === 'Namespace' ? manifest : { ...manifest, metadata: { ...manifest.metadata, namespace: kustomization.namespace } }));
  }
}

const manifests = render();
const find = (kind: string, name: string): Manifest => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const deployments = manifests.filter((manifest) => manifest.kind === 'Deployment');
const service = ['jobgraph-api', 'jobgraph-worker'].map((name) => find('Deployment', name));
const configMap = find('ConfigMap', 'jobgraph');
const secret = find('Secret', 'jobgraph');

/** The model module of a manifest: kubernetes-models/<group>/<version>/<Kind>. */
const modelPath = (manifest: Manifest) => `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`;

describe('deploy/kubernetes', () => {
  it('renders every part a deployment needs', () => {
    const kinds = manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/jobgraph', 'Deployment/jobgraph-api', 'Deployment/jobgraph-remote-worker', 'Deployment/jobgraph-worker',
        'HorizontalPodAutoscaler/jobgraph-api', 'Namespace/jobgraph', 'PodDisruptionBudget/jobgraph-api', 'PodDisruptionBudget/jobgraph-worker',
        'Secret/jobgraph', 'Secret/jobgraph-remote-worker', 'Service/jobgraph-api', 'Service/jobgraph-worker',
      ]),
    );
  });

  it('validates every manifest against the Kubernetes API schemas', async () => {
    for (const manifest of manifests) {
      const module = (await import(modelPath(manifest))) as Record<string, new (data: unknown) => { validate(): void }>;
      const Model = module[manifest.kind]!;
      expect(() => new Model(manifest).validate(), `${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
    }
  });

  it('uses no field Kubernetes does not have (the models\' types, checked by the compiler)', { timeout: 60_000 }, async () => {
    // Object literals typed as the API's kinds: a misspelt or invented field is an error.
    const dir = join(ROOT, 'node_modules/.cache/jobgraph-kubernetes');
    mkdirSync(dir, { recursive: true });
    const source = manifests
      .map((manifest, index) => `import type { I${manifest.kind} as T${index} } from '${modelPath(manifest)}';\nexport const m${index}: T${index} = ${JSON.stringify(manifest)};`)
      .join('\n');
    writeFileSync(join(dir, 'manifests.ts'), source);
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', join(dir, 'manifests.ts')]).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(checked).toBe('');
  });

  describe('against the code', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
    });
    afterAll(async () => app?.stop());

    it('probes paths that answer, on a port the service listens on', async () => {
      const port = Number(configMap.data.PORT);
      for (const deployment of service) {
        const [container] = deployment.spec.template.spec.containers as Manifest[];
        const named = new Map((container!.ports as Manifest[]).map((entry) => [entry.name, entry.containerPort]));
        expect(container!.readinessProbe.httpGet.path).toBe('/ready');
        expect(container!.livenessProbe.httpGet.path).toBe('/health');
        for (const probe of [container!.readinessProbe, container!.livenessProbe, container!.startupProbe]) expect(named.get(probe.httpGet.port)).toBe(port);
      }
      for (const path of ['/ready', '/health']) expect((await fetch(`http://127.0.0.1:${app.app.port}${path}`)).status).toBe(200);
    });

    it('sets only variables the service reads, and they parse as one of its processes would', () => {
      const known = new Set(Object.keys(configSchema.shape));
      for (const deployment of service) {
        const [container] = deployment.spec.template.spec.containers as Manifest[];
        const own = Object.fromEntries((container!.env as Manifest[]).map((entry) => [entry.name, entry.value]));
        const env = { ...configMap.data, ...secret.stringData, ...own };
        // NODE_OPTIONS is Node's own: a heap that leaves the process room within its memory limit.
        expect(Object.keys(env).filter((name) => !known.has(name) && name !== 'NODE_OPTIONS'), deployment.metadata.name).toEqual([]);
        if (env.NODE_OPTIONS) {
          const heapMb = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS)?.[1]);
          const limitMi = Number(/^(\d+)Mi$/.exec(container!.resources.limits.memory)?.[1]);
          expect(heapMb, `${deployment.metadata.name}: NODE_OPTIONS' heap within its memory limit`).toBeLessThanOrEqual(limitMi * 0.6);
        }
        const config = loadConfig(env);
        expect(config.ROLE).toBe(deployment.metadata.name.replace('jobgraph-', ''));
        // The kubelet's SIGKILL comes after the grace period: jobs get SHUTDOWN_GRACE_MS, and time to hand back.
        expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(config.SHUTDOWN_GRACE_MS + 10_000);
        expect(config.OUTPUT_DIR).toBe((container!.volumeMounts as Manifest[]).find((mount) => mount.name === 'output')?.mountPath ?? config.OUTPUT_DIR);
      }
      // The worker writes OUTPUT_DIR: a volume, since the root filesystem is read-only.
      const worker = find('Deployment', 'jobgraph-worker').spec.template.spec.containers[0];
      expect((worker.volumeMounts as Manifest[]).map((mount) => mount.mountPath)).toContain(configMap.data.OUTPUT_DIR);
    });

    it('runs every pod non-root, on a read-only root filesystem, with resources set', () => {
      for (const deployment of deployments) {
        const pod = deployment.spec.template.spec;
        expect(pod.securityContext.runAsNonRoot, deployment.metadata.name).toBe(true);
        for (const container of pod.containers as Manifest[]) {
          expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
          expect(container.resources.requests.memory).toBeDefined();
          expect(container.resources.limits.memory).toBeDefined();
          // Node and tsx write temporary files: /tmp is a volume.
          expect((container.volumeMounts as Manifest[]).map((mount) => mount.mountPath)).toContain('/tmp');
        }
      }
    });

    it('points Services, budgets and the autoscaler at the pods they mean', () => {
      const matches = (selector: Record<string, string>, deployment: Manifest) => Object.entries(selector).every(([key, value]) => deployment.spec.template.metadata.labels[key] === value);
      for (const name of ['jobgraph-api', 'jobgraph-worker']) {
        const deployment = find('Deployment', name);
        const portNames = (deployment.spec.template.spec.containers[0].ports as Manifest[]).map((entry) => entry.name);
        const svc = find('Service', name);
        expect(matches(svc.spec.selector, deployment)).toBe(true);
        for (const entry of svc.spec.ports as Manifest[]) expect(portNames).toContain(entry.targetPort);
        expect(matches(find('PodDisruptionBudget', name).spec.selector.matchLabels, deployment)).toBe(true);
        // Each selector picks its own component only.
        for (const other of deployments.filter((candidate) => candidate !== deployment)) expect(matches(svc.spec.selector, other)).toBe(false);
      }
      expect(find('HorizontalPodAutoscaler', 'jobgraph-api').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'jobgraph-api' });
      // The remote worker reaches the API through its Service, with the example's variables.
      const remote = find('Deployment', 'jobgraph-remote-worker').spec.template.spec.containers[0];
      const url = new URL((remote.env as Manifest[]).find((entry) => entry.name === 'JOBGRAPH_URL')!.value);
      expect(url.hostname).toBe('jobgraph-api');
      const example = readFileSync(join(ROOT, 'examples/remote-worker/src/worker.ts'), 'utf8');
      const given = [...(remote.env as Manifest[]).map((entry) => entry.name), ...Object.keys(find('Secret', 'jobgraph-remote-worker').stringData)];
      for (const name of given) expect(example, name).toContain(`process.env.${name}`);
    });
  });
});
