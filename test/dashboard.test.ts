// The dashboard in a real browser (Debian's chromium driven by playwright-core), with
// the network cut (nothing may load from outside this machine): every page by its own
// URL and after a reload, credentials (a key, a token, a read-only token), submitting
// from the schema-driven form and watching the job finish live, cancelling with a
// confirmation, bulk actions on a filter, queue pause and resume, schedules, workers,
// dark mode and phone width. Screenshots of every page go to test/artifacts.
import { mkdir } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

const SECRET = 'dashboard-0123456789abcdef';
const JWT_SECRET = 'dashboard-jwt-secret-0123456789abcdef';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let app: TestApp;
let browser: Browser;
let page: Page;
let base: string;
/** Requests for anything but this service, from any page (the network is cut). */
const outside: string[] = [];
const problems: string[] = [];
/** What the dashboard asked the person before destructive actions. */
const asked: string[] = [];

async function newPage(): Promise<Page> {
  const created = await browser.newPage();
  await created.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.protocol === 'blob:' || target.protocol === 'data:' || target.hostname === '127.0.0.1') return route.continue();
    outside.push(target.href);
    return route.abort();
  });
  created.on('pageerror', (error) => problems.push(error.message));
  created.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  // Destructive actions ask first; the person says yes (and reads what came of it).
  created.on('dialog', (dialog) => {
    if (dialog.type() === 'confirm') asked.push(dialog.message());
    void dialog.accept();
  });
  return created;
}

beforeAll(async () => {
  app = await startTestApp({ API_KEYS: `ui:${SECRET}:admin`, JWT_SECRET, WORKER_HEARTBEAT_MS: '500' });
  base = app.url.replace('/graphql', '');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function shot(target: Page, name: string): Promise<void> {
  await mkdir('test/artifacts', { recursive: true });
  await target.screenshot({ path: `test/artifacts/dashboard-${name}.png`, fullPage: true });
}

async function screenshotOnFailure(name: string, run: () => Promise<void>, target: Page = page): Promise<void> {
  try {
    await run();
  } catch (error) {
    await shot(target, `${name}-failure`).catch(() => undefined);
    throw error;
  }
}

async function api(query: string, variables: Record<string, unknown> = {}): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, body: JSON.stringify({ query, variables }) });
  return ((await response.json()) as { data: unknown }).data;
}

const token = (scope: string, tenant = 'globex') =>
  new SignJWT({ tenant, scope }).setProtectedHeader({ alg: 'HS256' }).setSubject('hank').setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET));

describe('with an operator key', () => {
  it('asks for a credential, then submits a job from the form and shows it finish live, at its own URL', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('submit', async () => {
      await page.goto(`${base}/`);
      await page.locator('#error').getByText('UNAUTHENTICATED').waitFor();
      await page.fill('#apiKey', SECRET);
      await page.click('#saveKey');
      await page.locator('#live').getByText('live', { exact: true }).waitFor();
      await page.locator('#stats tbody td', { hasText: 'default' }).waitFor();
      expect(await page.locator('#error').count()).toBe(0); // no blank error strip
      await shot(page, 'overview');

      await page.selectOption('#sType', 'sleep');
      await page.fill('#sFields input[name="ms"]', '500');
      await page.click('#sSubmit');
      await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
      await page.locator('#dStatus', { hasText: 'COMPLETED' }).waitFor({ timeout: 15_000 });
      await page.locator('#dEvents tbody td', { hasText: 'COMPLETED' }).first().waitFor();
      expect(await page.textContent('#dResult')).toContain('"sleptMs": 500');
      // The whole id, and times with their date.
      const id = page.url().split('/').pop() as string;
      expect(await page.textContent('#dId')).toBe(id);
      expect(await page.locator('#dEvents time').first().textContent()).toMatch(/\d{4}/);
      await page.locator('#dEvents tbody td', { hasText: '%' }).first().waitFor(); // PROGRESS rows with their percentage
      await shot(page, 'job');
      // A reload lands on the same page.
      await page.reload();
      await page.locator('#dStatus', { hasText: 'COMPLETED' }).waitFor();
      await page.goto(`${base}/`);
      await page.locator('#stats tbody td', { hasText: 'default' }).waitFor();
      const completed = (await page.locator('#stats thead th').allTextContents()).indexOf('completed');
      expect(completed).toBeGreaterThan(0);
      await expect.poll(async () => (await page.locator('#stats tbody tr').first().locator('td').nth(completed).textContent()) ?? '', { timeout: 10_000 }).toBe('1');
    });
  });

  it('cancels a running job from its page after asking; Retry and Cancel follow the status', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('cancel', async () => {
      const { submitJob } = await api('mutation { submitJob(input: { type: "sleep", payload: { ms: 60000 } }) { job { id } } }');
      await page.goto(`${base}/jobs/${submitJob.job.id}`);
      await page.locator('#dStatus', { hasText: 'RUNNING' }).waitFor({ timeout: 15_000 });
      expect(await page.isDisabled('#retry')).toBe(true);
      await page.click('#cancel');
      await page.locator('#dStatus', { hasText: 'CANCELLED' }).waitFor({ timeout: 15_000 });
      expect(asked.at(-1)).toMatch(/^Cancel job [0-9a-f-]{36}\? Its handler is told to stop\.$/);
      expect(await page.isDisabled('#cancel')).toBe(true);
      expect(await page.isDisabled('#retry')).toBe(false);
    });
  });

  it('shows a failed job\'s error in full: its real cause named, the chain of causes, the stack', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('error', async () => {
      const { submitJob } = await api('mutation { submitJob(input: { type: "http.request", payload: { url: "http://nothing-here.invalid/", method: "GET" }, maxAttempts: 1 }) { job { id } } }');
      const id = submitJob.job.id as string;
      await page.goto(`${base}/jobs/${id}`);
      await page.locator('#dStatus', { hasText: 'FAILED' }).waitFor({ timeout: 15_000 });
      // Not "fetch failed": the DNS failure, named by its code, with fetch's error as its cause.
      const shown = await page.locator('#dError').innerText();
      expect(shown).toMatch(/^ENOTFOUND: GET http:\/\/nothing-here\.invalid\/: .*ENOTFOUND nothing-here\.invalid/);
      expect(shown).toMatch(/caused by TypeError: fetch failed/);
      await page.click('#dError details summary');
      expect(await page.locator('#dError pre').first().innerText()).toMatch(/^RequestError: GET http:\/\/nothing-here\.invalid\//);
      expect(await page.locator('#dEvents').innerText()).toMatch(/FAILED\s+FAILED\s+1\s+ENOTFOUND: GET/);
      await shot(page, 'job-error');
      // In the list, FAILED jobs show why in their row, without opening each.
      await page.goto(`${base}/jobs?status=FAILED&type=http.request`);
      const row = page.locator('#jobs tbody tr.job', { hasText: id });
      expect(await row.locator('td.error').innerText()).toMatch(/^ENOTFOUND: GET http:\/\/nothing-here\.invalid\//);
    });
  });

  it('lists jobs by filter (in the URL), and cancels everything matching after asking', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('jobs', async () => {
      const runAt = new Date(Date.now() + 3_600_000).toISOString();
      await api('mutation ($runAt: DateTime) { submitJobs(input: [{ type: "echo", payload: 1, tags: ["ui-bulk"], runAt: $runAt }, { type: "echo", payload: 2, tags: ["ui-bulk"], runAt: $runAt }, { type: "echo", payload: 3, tags: ["ui-bulk"], runAt: $runAt }]) { jobs { id } } }', { runAt });
      await page.goto(`${base}/jobs?tag=ui-bulk`);
      await page.locator('#total', { hasText: '3 matching' }).waitFor();
      expect(await page.locator('#jobs tbody tr.job').count()).toBe(3);
      await shot(page, 'jobs');
      // Each bulk action says how many it touches; retry and delete have none here.
      await page.locator('#cancelAll', { hasText: 'Cancel 3 unfinished' }).waitFor();
      expect(await page.isDisabled('#deleteAll')).toBe(true);
      await page.click('#cancelAll');
      expect(asked.at(-1)).toBe('Cancel 3 unfinished jobs matching tag ui-bulk?');
      await expect.poll(async () => page.locator('#jobs tbody tr.job .status.CANCELLED').count(), { timeout: 10_000 }).toBe(3);
      await page.locator('#deleteAll', { hasText: 'Delete 3 finished' }).waitFor();
      await page.reload();
      await page.locator('#total', { hasText: '3 matching' }).waitFor();
      // A cancelled job shows no progress, and when it finished.
      const cells = await page.locator('#jobs tbody tr.job').first().locator('td').allTextContents();
      expect(cells).not.toContain('0%');
      // The status tabs: each with its count; one narrows the list, and the URL says so.
      await page.locator('#tab-CANCELLED .count', { hasText: /^\d+$/ }).waitFor();
      expect(Number(await page.locator('#tab-CANCELLED .count').textContent())).toBeGreaterThanOrEqual(3);
      await page.click('#tab-SCHEDULED');
      await page.waitForURL(/status=SCHEDULED/);
      await page.locator('#total', { hasText: '0 matching' }).waitFor();
      // What the payload contains narrows it too (the jobs' payloads are 1, 2 and 3).
      await page.goto(`${base}/jobs?tag=ui-bulk`);
      await page.fill('#fPayload', '2');
      await page.press('#fPayload', 'Tab'); // a text field is applied when it is left, as the others
      await page.waitForURL(/payload=2/);
      await page.locator('#total', { hasText: '1 matching' }).waitFor();
      // With no filter, nothing is offered for every job until "everything" is ticked.
      await page.goto(`${base}/jobs`);
      await page.locator('#everything').waitFor();
      expect(await page.locator('#deleteAll').count()).toBe(0);
      await page.check('#everything');
      await page.locator('#deleteAll', { hasText: /^Delete \d+ finished$/ }).waitFor();
      // Dates narrow it too: created before 2020, nothing.
      await page.goto(`${base}/jobs?tag=ui-bulk`);
      await page.locator('#total', { hasText: '3 matching' }).waitFor();
      await page.fill('#fBefore', '2020-01-01T00:00');
      await page.waitForURL(/before=2020/);
      await page.locator('#total', { hasText: '0 matching' }).waitFor();
    });
  });

  it('pauses and resumes a queue, creates and deletes a schedule, and shows the workers', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('queues', async () => {
      await page.goto(`${base}/queues`);
      await page.locator('#queues tbody td', { hasText: 'running' }).first().waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('#queues tbody td', { hasText: 'paused' }).waitFor();
      await shot(page, 'queues');
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('#queues tbody td', { hasText: 'running' }).first().waitFor();
      // Limits in plain units: ten jobs a second, said so; then none again.
      const queueRow = page.locator('#queues tbody tr').first();
      expect(Number(await queueRow.locator('td.finished').textContent())).toBeGreaterThanOrEqual(0);
      await queueRow.locator('input[name="max"]').fill('10');
      await queueRow.locator('select[name="per"]').selectOption({ label: 'second' });
      await queueRow.getByRole('button', { name: 'Set' }).click();
      await queueRow.locator('td.rate', { hasText: '10 jobs per second' }).waitFor();
      await queueRow.locator('input[name="max"]').fill('');
      await queueRow.getByRole('button', { name: 'Set' }).click();
      await queueRow.locator('td.rate', { hasText: 'none' }).waitFor();

      await page.goto(`${base}/schedules`);
      await page.fill('#newSchedule input[name="name"]', 'ui-nightly');
      await page.fill('#newSchedule input[name="cron"]', '0 3 * * *');
      // The job's payload is a form built from its type's schema, as the submit form's.
      await page.selectOption('#newSchedule select[name="type"]', 'sleep');
      await page.fill('#newSchedule input[name="ms"]', '5');
      await page.click('#newSchedule button[type="submit"]');
      await page.locator('#schedules tbody td', { hasText: 'ui-nightly' }).waitFor();
      // Its next three runs; its template without the fields left out.
      const nightly = page.locator('#schedules tbody tr', { hasText: 'ui-nightly' });
      expect(await nightly.locator('td.nextRuns time').count()).toBe(3);
      const template = (await nightly.locator('pre').textContent()) ?? '';
      expect(JSON.parse(template)).toEqual({ type: 'sleep', payload: { ms: 5 } });
      await shot(page, 'schedules');
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.locator('text=No schedules.').waitFor();
      // A refusal shows once, naming its field once.
      await page.fill('#newSchedule input[name="name"]', 'ui-bad');
      await page.fill('#newSchedule input[name="cron"]', 'not a cron');
      await page.selectOption('#newSchedule select[name="type"]', 'echo');
      await page.click('#newSchedule button[type="submit"]');
      const refusal = (await page.locator('#error').textContent({ timeout: 10_000 })) ?? '';
      expect(refusal).toMatch(/^INVALID_INPUT: cron: /);
      expect(refusal.split('cron:').length).toBe(2);

      await page.goto(`${base}/workers`);
      await page.locator('#workers tbody td', { hasText: String(process.pid) }).waitFor();
      // Its kind, the types it runs, and its process's memory.
      const workerRow = page.locator('#workers tbody tr', { hasText: String(process.pid) });
      expect(await workerRow.locator('td').first().textContent()).toBe('in-process');
      await workerRow.locator('td.memory', { hasText: / MB$/ }).waitFor();
      await shot(page, 'workers');
    });
  });

  it('runs a scheduled job now, and a schedule now (its last run and job shown); the overview counts what finished from the record, the same after a reload', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('run-now', async () => {
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const { submitJob } = await api('mutation ($runAt: DateTime) { submitJob(input: { type: "echo", payload: { now: true }, runAt: $runAt, idempotencyKey: "ui-run-now" }) { job { id } } }', { runAt: later });
      await page.goto(`${base}/jobs/${submitJob.job.id}`);
      await page.locator('#dStatus', { hasText: 'SCHEDULED' }).waitFor({ timeout: 15_000 });
      // What an operator needs at a glance: why it waits, when it runs (to the millisecond), what is left, its key.
      expect(await page.locator('#dWaiting').textContent()).toMatch(/^Waiting for its time, /);
      expect(await page.locator('#dTimes').textContent()).toMatch(/runs at .*\d\d[.,]\d{3}/);
      expect(await page.locator('#dFacts').textContent()).toMatch(/3 attempts left.*idempotency key ui-run-now/);
      await page.click('#runNow');
      await page.locator('#dStatus', { hasText: 'COMPLETED' }).waitFor({ timeout: 15_000 });
      expect(asked.at(-1)).toBe(`Run job ${submitJob.job.id} now instead of at its time?`);
      expect(await page.locator('#dTook').textContent()).toMatch(/^took \d+ ms$/);
      // A finished job offers no Run now.
      expect(await page.locator('#runNow').count()).toBe(0);

      await page.goto(`${base}/schedules`);
      await page.fill('#newSchedule input[name="name"]', 'ui-yearly');
      await page.fill('#newSchedule input[name="cron"]', '0 0 1 1 *');
      await page.selectOption('#newSchedule select[name="type"]', 'echo');
      await page.fill('#newSchedule textarea[name="raw"]', '{"yearly": true}');
      await page.click('#newSchedule button[type="submit"]');
      const row = page.locator('#schedules tbody tr', { hasText: 'ui-yearly' });
      await row.locator('td.lastRun', { hasText: 'never' }).waitFor();
      await row.getByRole('button', { name: 'Run now' }).click();
      expect(asked.at(-1)).toBe("Submit ui-yearly's job now? Its next run stays as it is.");
      await row.locator('td.lastRun a').waitFor({ timeout: 10_000 });
      await shot(page, 'schedules-run-now');
      await row.locator('td.lastRun a').click();
      await page.locator('#dStatus', { hasText: 'COMPLETED' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('#dPayload').textContent()).toContain('yearly');
      await page.goto(`${base}/schedules`);
      await page.locator('#schedules tbody tr', { hasText: 'ui-yearly' }).getByRole('button', { name: 'Delete' }).click();

      // What finished in the last five minutes, read from PostgreSQL: a reload shows the same.
      const { jobs } = await api('{ jobs(filter: { status: [COMPLETED] }, first: 500) { nodes { finishedAt } } }');
      const recent = jobs.nodes.filter((job: { finishedAt: string }) => Date.parse(job.finishedAt) >= Math.floor(Date.now() / 10_000) * 10_000 - 290_000).length;
      expect(recent).toBeGreaterThanOrEqual(2);
      await page.goto(`${base}/`);
      const totals = page.locator('#chartTotals', { hasText: / completed, \d+ failed, \d+ cancelled$/ });
      await totals.waitFor();
      const completed = Number((await totals.textContent())?.split(' ')[0]);
      expect(completed).toBeGreaterThanOrEqual(recent);
      await page.reload();
      await page.locator('#chartTotals', { hasText: `${completed} completed` }).waitFor();
      // One queue's chart: none finished in a queue that has had no jobs.
      await page.selectOption('#chartQueue', 'default');
      await page.locator('#chartTotals', { hasText: / completed/ }).waitFor();
      await shot(page, 'overview');
    });
  });

  it('draws a flow as a graph whose statuses follow it live, and lists it among the flows', { timeout: 60_000 }, async () => {
    await screenshotOnFailure('flow', async () => {
      const step = (key: string, ms: number, dependsOn: string[] = []) => ({ key, dependsOn, job: { type: 'sleep', payload: { ms } } });
      const { submitFlow } = await api('mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } } }', {
        input: { name: 'diamond', jobs: [step('A', 600), step('B', 300, ['A']), step('C', 300, ['A']), step('D', 100, ['B', 'C'])] },
      });
      await page.goto(`${base}/flows/${submitFlow.flow.id}`);
      await page.locator('#flowGraph .node').first().waitFor();
      expect(await page.locator('#flowGraph .node').count()).toBe(4);
      expect(await page.locator('#flowGraph .edge').count()).toBe(4);
      await page.locator('#flowGraph .node.BLOCKED').first().waitFor();
      await shot(page, 'flow');
      await page.locator('#flowStatus', { hasText: 'COMPLETED' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('#flowGraph .node.COMPLETED').count()).toBe(4);
      await page.reload();
      await page.locator('#flowStatus', { hasText: 'COMPLETED' }).waitFor();

      // Zoom: the graph grows and shrinks; the page scrolls it.
      const width = Number(await page.locator('#flowGraph').getAttribute('width'));
      await page.click('#zoomIn');
      expect(Number(await page.locator('#flowGraph').getAttribute('width'))).toBe(width * 1.5);
      await page.click('#zoomOut');
      await page.click('#zoomOut');
      expect(Number(await page.locator('#flowGraph').getAttribute('width'))).toBe(width * 0.75);
      expect(await page.isDisabled('#cancelFlow')).toBe(true);

      // The flows list, in the nav: this flow among them, filtered in the URL, each opening its graph.
      await page.getByRole('link', { name: 'Flows', exact: true }).click();
      const row = page.locator('#flows tbody tr.flow', { hasText: 'diamond' });
      await row.waitFor();
      expect(await row.locator('td').nth(1).textContent()).toBe('COMPLETED');
      expect(await row.locator('td').nth(2).textContent()).toBe('4');
      await shot(page, 'flows');
      await page.selectOption('#flowFilter select[name="status"]', 'FAILED');
      await page.click('#flowFilter button[type="submit"]');
      await page.locator('text=No flows match here.').waitFor();
      expect(new URL(page.url()).search).toBe('?status=FAILED');
      await page.reload();
      await page.locator('text=No flows match here.').waitFor();
      await page.goto(`${base}/flows?name=dia`);
      await page.locator('#flows tbody tr.flow', { hasText: 'diamond' }).getByRole('link').click();
      await page.locator('#flowStatus', { hasText: 'COMPLETED' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/flows/${submitFlow.flow.id}`);
    });
  });

  it("shows a failed flow's error on its node, retries its failed job, and cancels a running flow, each after asking", { timeout: 60_000 }, async () => {
    await screenshotOnFailure('flow-actions', async () => {
      const { submitFlow } = await api('mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id jobs { id flowKey } } } }', {
        input: {
          name: 'breaks',
          jobs: [
            { key: 'fetch', job: { type: 'http.request', payload: { url: 'http://nothing-here.invalid/', method: 'GET' }, maxAttempts: 1 } },
            { key: 'use', job: { type: 'echo', payload: {} }, dependsOn: ['fetch'] },
          ],
        },
      });
      const fetchId = submitFlow.flow.jobs.find((job: { flowKey: string }) => job.flowKey === 'fetch').id as string;
      await page.goto(`${base}/flows/${submitFlow.flow.id}`);
      await page.locator('#flowStatus', { hasText: 'FAILED' }).waitFor({ timeout: 20_000 });
      await page.locator('#flowGraph .node.FAILED .error-text', { hasText: 'ENOTFOUND' }).waitFor();
      await shot(page, 'flow-failed');
      await page.click('#retryFlow');
      expect(asked.at(-1)).toBe('Retry the 1 failed job of this flow? What their failure cancelled waits for them again.');
      // Retried: the job is run again (and fails again: the host still does not exist).
      await expect
        .poll(async () => (await api('query ($id: ID!) { job(id: $id) { events { nodes { type } } } }', { id: fetchId })).job.events.nodes.map((event: { type: string }) => event.type).includes('RETRIED'), { timeout: 10_000 })
        .toBe(true);

      const { submitFlow: running } = await api('mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } } }', {
        input: { name: 'long', jobs: [{ key: 'wait', job: { type: 'sleep', payload: { ms: 60000 } } }, { key: 'after', job: { type: 'echo', payload: {} }, dependsOn: ['wait'] }] },
      });
      await page.goto(`${base}/flows/${running.flow.id}`);
      await page.locator('#flowStatus', { hasText: 'RUNNING' }).waitFor();
      await page.click('#cancelFlow');
      expect(asked.at(-1)).toBe('Cancel every unfinished job of flow long?');
      await page.locator('#flowStatus', { hasText: 'CANCELLED' }).waitFor({ timeout: 15_000 });
      expect(await page.isDisabled('#cancelFlow')).toBe(true);
    });
  });

  it('is usable at phone width and in dark mode', { timeout: 60_000 }, async () => {
    const phone = await newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.emulateMedia({ colorScheme: 'dark' });
      await phone.goto(`${base}/jobs`);
      await phone.fill('#apiKey', SECRET);
      await phone.click('#saveKey');
      await phone.locator('#jobs tbody tr.job').first().waitFor();
      // Nothing wider than the screen: tables scroll inside their box.
      expect(await phone.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      const background = await phone.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      expect(background).toBe('rgb(13, 17, 23)');
      await shot(phone, 'phone-dark');
      // Every other page too.
      for (const [path, mark] of [['/', '#stats'], ['/flows', '#flows'], ['/queues', '#queues'], ['/schedules', '#newSchedule'], ['/workers', '#workers']] as const) {
        await phone.goto(`${base}${path}`);
        await phone.locator(mark).first().waitFor();
        expect(await phone.evaluate(() => document.documentElement.scrollWidth <= innerWidth), path).toBe(true);
      }
      await shot(phone, 'phone-dark-workers');
    } finally {
      await phone.close();
    }
  });
});

describe('with a token', () => {
  it('takes a user\'s token instead of a key, shows only that tenant, and offers no action a read-only token may not take', { timeout: 60_000 }, async () => {
    const writer = await token('jobs:read jobs:write');
    const submitted = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
      body: JSON.stringify({ query: 'mutation { submitJob(input: { type: "echo", payload: "from hank" }) { job { id } } }' }),
    });
    const { data } = (await submitted.json()) as { data: { submitJob: { job: { id: string } } } };
    const user = await newPage();
    await screenshotOnFailure('token', async () => {
      await user.goto(`${base}/jobs`);
      await user.fill('#apiKey', await token('jobs:read'));
      await user.click('#saveKey');
      await user.locator('#jobs tbody tr.job', { hasText: 'echo' }).first().waitFor();
      // The operator's sleep jobs of the tests above are not this tenant's.
      expect(await user.locator('#jobs tbody tr.job').count()).toBe(1);
      expect(await user.locator('#cancelAll').count()).toBe(0);
      await user.goto(`${base}/jobs/${data.submitJob.job.id}`);
      await user.locator('#dStatus', { hasText: 'COMPLETED' }).waitFor();
      expect(await user.locator('#retry').count()).toBe(0);
      expect(await user.locator('#cancel').count()).toBe(0);
      await user.goto(`${base}/`);
      await user.locator('#stats tbody td', { hasText: 'default' }).waitFor();
      expect(await user.locator('#sSubmit').count()).toBe(0);
      await user.goto(`${base}/queues`);
      await user.locator('#queues tbody td', { hasText: 'default' }).waitFor();
      expect(await user.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    }, user);
    await user.close();
  });
});

it('serves every page at its own URL, again after a reload', { timeout: 60_000 }, async () => {
  const marks: [string, string][] = [
    ['/', '#stats tbody td'],
    ['/jobs', '#jobs tbody tr.job'],
    ['/flows', '#flows tbody tr.flow'],
    ['/queues', '#queues tbody td'],
    ['/schedules', '#newSchedule'],
    ['/workers', '#workers tbody td'],
  ];
  for (const [path, mark] of marks) {
    await page.goto(`${base}${path}`);
    await page.locator(mark).first().waitFor();
    await page.reload();
    await page.locator(mark).first().waitFor();
    expect(new URL(page.url()).pathname).toBe(path);
  }
  // The chart has its axes: time along, counts up.
  await page.goto(`${base}/`);
  await page.locator('#chart .u-axis').first().waitFor();
  expect(await page.locator('#chart .u-axis').count()).toBeGreaterThanOrEqual(2);
});

it('loaded nothing from outside this machine and broke no Content-Security-Policy', () => {
  expect(outside).toEqual([]);
  expect(problems).toEqual([]);
});

it('opens GraphiQL with nothing loaded from outside this machine, within its Content-Security-Policy', { timeout: 60_000 }, async () => {
  const graphiql = await browser.newPage();
  const outside: string[] = [];
  const problems: string[] = [];
  // The network is cut: any request that is not to this service fails and is recorded.
  await graphiql.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.protocol === 'blob:' || target.protocol === 'data:' || target.hostname === '127.0.0.1') return route.continue();
    outside.push(target.href);
    return route.abort();
  });
  graphiql.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  graphiql.on('pageerror', (error) => problems.push(error.message));
  try {
    await graphiql.goto(app.url);
    await graphiql.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
    await graphiql.getByText('mutation Submit').first().waitFor({ timeout: 30_000 });
    await mkdir('test/artifacts', { recursive: true });
    await graphiql.screenshot({ path: 'test/artifacts/graphiql.png' });
    expect(outside).toEqual([]);
    expect(problems.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  } finally {
    await graphiql.close();
  }
});
