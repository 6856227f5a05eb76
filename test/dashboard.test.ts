// The dashboard in a real browser (Debian's chromium driven by playwright-core): key
// entry, live counts, submitting from the schema-driven form, watching the job finish,
// its history, and cancelling. A screenshot is kept in test/artifacts on failure.
import { mkdir } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

const SECRET = 'dashboard-0123456789abcdef';
const JWT_SECRET = 'dashboard-jwt-secret-0123456789abcdef';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startTestApp({ API_KEYS: `ui:${SECRET}:admin`, JWT_SECRET });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function screenshotOnFailure(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    await mkdir('test/artifacts', { recursive: true });
    await page.screenshot({ path: `test/artifacts/${name}.png`, fullPage: true }).catch(() => undefined);
    throw error;
  }
}

it('asks for a key, then submits a job from the form and shows it finish live', { timeout: 60_000 }, async () => {
  await screenshotOnFailure('dashboard-submit', async () => {
    await page.goto(app.url.replace('/graphql', '/'));
    await page.locator('#error').getByText('UNAUTHENTICATED').waitFor();

    await page.fill('#apiKey', SECRET);
    await page.click('#saveKey');
    await page.locator('#live').getByText('live', { exact: true }).waitFor();
    await page.locator('#stats tbody td', { hasText: 'default' }).waitFor();

    await page.selectOption('#sType', 'sleep');
    await page.fill('#sFields input[name="ms"]', '500');
    await page.click('#sSubmit');
    await page.locator('#sResult').getByText('submitted').waitFor();
    // The job page follows the job live until it is done.
    await page.locator('#dStatus', { hasText: 'COMPLETED' }).waitFor({ timeout: 15_000 });
    await page.locator('#dEvents tbody td', { hasText: 'COMPLETED' }).first().waitFor();
    expect(await page.textContent('#dResult')).toContain('"sleptMs": 500');
    // The list and the counts caught up too.
    await page.locator('#jobs tbody tr.job', { hasText: 'sleep' }).first().waitFor();
    await expect.poll(async () => (await page.locator('#stats tbody tr').first().locator('td').nth(5).textContent()) ?? '', { timeout: 10_000 }).toBe('1');
  });
});

it('cancels a running job from its page', { timeout: 60_000 }, async () => {
  await screenshotOnFailure('dashboard-cancel', async () => {
    await page.selectOption('#sType', 'sleep');
    await page.fill('#sFields input[name="ms"]', '60000');
    await page.click('#sSubmit');
    await page.locator('#dStatus', { hasText: 'RUNNING' }).waitFor({ timeout: 15_000 });
    await page.click('#cancel');
    await page.locator('#dStatus', { hasText: 'CANCELLED' }).waitFor({ timeout: 15_000 });
    // Refusals are shown: a cancelled job cannot be cancelled again.
    await page.click('#cancel');
    await page.locator('#error').getByText('INVALID_STATE').waitFor();
  });
});

it('takes a user\'s token instead of a key, and shows only that user\'s tenant', { timeout: 60_000 }, async () => {
  await screenshotOnFailure('dashboard-token', async () => {
    const token = await new SignJWT({ tenant: 'globex', scope: 'jobs:read jobs:write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('hank')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const submitted = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { submitJob(input: { type: "echo", payload: "from hank" }) { job { id } } }' }),
    });
    expect(submitted.status).toBe(200);
    const user = await browser.newPage();
    try {
      await user.goto(app.url.replace('/graphql', '/'));
      await user.fill('#apiKey', token);
      await user.click('#saveKey');
      await user.locator('#live').getByText('live', { exact: true }).waitFor();
      await user.locator('#jobs tbody tr.job', { hasText: 'echo' }).first().waitFor();
      // The operator's sleep jobs of the tests above are not this tenant's.
      expect(await user.locator('#jobs tbody tr.job').count()).toBe(1);
      expect(await user.locator('#jobs tbody tr.job', { hasText: 'sleep' }).count()).toBe(0);
    } finally {
      await user.close();
    }
  });
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
