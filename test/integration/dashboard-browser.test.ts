/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against a store
 * with real attempts: the numbers in the cards, tables and charts are the store's, and hostile
 * markup in LLM text stays text. Fails, not skips, when chromium is missing.
 */
import { rmSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import {
  FAILING_CODEC,
  HOSTILE_IMG,
  HOSTILE_SCRIPT,
  QUALITIES,
  SqliteStore as Store,
  createApp,
  jpegCodec,
  newDataDir,
  realServices,
  researchLoop,
  storeHostileText,
} from './server-support.js';
import { ROOT, builtinClip, openTestSandbox } from './support.js';

const CHROMIUM = '/usr/bin/chromium';

let dataDir = '';
let store: SqliteStore;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  dataDir = newDataDir('codec-lab-dashboard-');
  store = Store.open({ dataDir });
  const sandbox = await openTestSandbox();
  try {
    const clip = await builtinClip(4);
    const loop = researchLoop(store, dataDir, sandbox, [clip], [jpegCodec(), FAILING_CODEC]);
    const summary = await loop.run({
      iterations: 2,
      intervalMs: 0,
      parallel: 1,
      signal: new AbortController().signal,
    });
    expect(summary.adopted).toBe(1);
  } finally {
    await sandbox.close();
  }
  storeHostileText(store, dataDir);
  server = await startServer(createApp(realServices(store, dataDir)), {
    host: '127.0.0.1',
    port: 0,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  store?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard in chromium', () => {
  it('shows the store’s numbers, draws the charts, and never runs stored markup', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-loaded]', { timeout: 30_000 });

    const totals = store.totals();
    expect(totals.attempts).toBe(3);
    const text = (selector: string) => page.locator(selector).innerText();
    expect(await text('#stat-attempts')).toBe(String(totals.attempts));
    expect(await text('#stat-failures')).toBe(String(totals.failures));
    expect(await text('#stat-success-rate')).toBe(
      `${((totals.successes / totals.attempts) * 100).toFixed(1)} %`,
    );
    expect(await text('#stat-versions')).toBe('1');
    expect(await text('#stat-cost')).toBe(`$${totals.cost.dollars.toFixed(2)}`);
    const best = store.incumbent()!;
    const jpegBd = best.attempt.assessment?.bd_rate.jpeg;
    expect(await text('#stat-best-jpeg')).toBe(
      jpegBd == null ? 'n/a' : `${jpegBd >= 0 ? '+' : ''}${jpegBd.toFixed(1)} %`,
    );

    // Evolution timeline: one row per version.
    const versionRows = page.locator('#versions tbody tr');
    expect(await versionRows.count()).toBe(1);
    expect(await versionRows.first().locator('td').first().innerText()).toBe('v1');
    expect(await versionRows.first().locator('td').nth(1).innerText()).toBe(best.attemptId);

    // Success/failure chart: the bars add up to the store's counts.
    const sum = (selector: string) =>
      page.$$eval(selector, (nodes) =>
        nodes.reduce((s, node) => s + Number(node.getAttribute('data-count')), 0),
      );
    expect(await sum('#chart-timeline rect.bar-success')).toBe(totals.successes);
    expect(await sum('#chart-timeline rect.bar-failure')).toBe(totals.failures);

    // RD chart: the best version and the three anchors on the same clip, one point per quality.
    const series = await page.$$eval('#chart-rd polyline.rd-series', (nodes) =>
      nodes.map((node) => [node.getAttribute('data-series'), node.getAttribute('data-points')]),
    );
    expect(series.map(([name]) => name).sort()).toEqual(['jpeg', 'v1', 'x264', 'x265']);
    expect(series.find(([name]) => name === 'v1')?.[1]).toBe(String(QUALITIES.length));
    for (const [, points] of series) expect(Number(points)).toBeGreaterThanOrEqual(4);

    // Failures table: the hostile message is shown as text, and the real failure is there too.
    const failureRows = page.locator('#failures tbody tr');
    expect(await failureRows.count()).toBe(totals.failures);
    const hostileRow = failureRows.filter({ hasText: HOSTILE_SCRIPT });
    expect(await hostileRow.count()).toBe(1);
    expect(await page.locator('#failures').innerText()).toContain('this codec always fails');

    // Opening the hostile attempt shows its response verbatim.
    await hostileRow.click();
    await page.waitForSelector('#attempt-detail:not([hidden])');
    expect(await text('#detail-response')).toContain(HOSTILE_IMG);
    expect(await text('#detail-failure')).toContain(HOSTILE_SCRIPT);

    // Governance: the report's verdict and recommendation, as text.
    expect(await text('#governance-verdict')).toContain(HOSTILE_SCRIPT);
    expect(await page.locator('#recommendations li').count()).toBe(1);
    expect(await text('#recommendations')).toContain('timeouts ×2 (open, revision 1)');

    // Nothing stored ran: no global set, no element made from stored text, no dialog.
    expect(
      await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned),
    ).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: `${ROOT}test-results/dashboard.png`, fullPage: true });
    await page.close();
  });
});
