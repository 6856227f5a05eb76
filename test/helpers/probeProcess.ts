// The other tenant's probe, in a process of its own: the attack's clients (hundreds of
// subscriptions parsing their messages) must not slow the probe's own event loop and
// so pass for the service's slowness. Started by tenantProbe.ts; reads "stop" on stdin,
// then prints its report as one JSON line.
import { createInterface } from 'node:readline';
import { probeOtherTenant } from './tenantProbe.js';

const [url, key] = process.argv.slice(2) as [string, string];
const probe = probeOtherTenant(url, key);
process.stdout.write('started\n');
createInterface({ input: process.stdin }).once('line', () => {
  void probe.stop().then((report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  });
});
