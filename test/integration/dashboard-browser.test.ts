/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against a store
 * with real attempts: the numbers in the cards, tables and charts are the store's, and hostile
 * markup in LLM text stays text. Fails, not skips, when chromium is missing.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAnchors } from '../../src/anchors/anchor-listing.js';
import { main } from '../../src/cli/main.js';
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
  mkdirSync(`${ROOT}test-results`, { recursive: true });
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
    // A Content-Security-Policy violation (an eval or style Vega needs and is refused) is logged.
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) {
        consoleErrors.push(message.text());
      }
    });
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

    // Success/failure chart, drawn by Vega: its bars add up to the store's counts.
    await page.waitForSelector('#chart-timeline[data-rendered] svg.marks');
    await page.waitForSelector('#chart-rd[data-rendered] svg.marks');
    const marks = (chart: string, role: string) =>
      page.$$eval(`#${chart} [aria-roledescription="${role}"]`, (nodes) =>
        nodes.map((node) => node.getAttribute('aria-label') ?? ''),
      );
    const field = (label: string, name: string) =>
      new RegExp(`(?:^|; )${name}: ([^;]+)`).exec(label)?.[1];
    const bars = await marks('chart-timeline', 'rect mark');
    const sum = (outcome: string) =>
      bars
        .filter((label) => field(label, 'outcome') === outcome)
        .reduce((s, label) => s + Number(field(label, 'attempts')), 0);
    expect(sum('succeeded')).toBe(totals.successes);
    expect(sum('failed')).toBe(totals.failures);

    // RD chart: in every panel (the clip), v1 and every anchor measured on it, one point per setting.
    const anchorNames = Object.keys((await listAnchors(dataDir))[0]!.anchors).sort();
    expect(anchorNames.length).toBeGreaterThanOrEqual(3);
    const lines = await marks('chart-rd', 'line mark');
    const panels = new Set(lines.map((label) => field(label, 'clip')));
    expect(panels.size).toBe(1);
    expect(lines.map((label) => field(label, 'codec')).sort()).toEqual(
      ['v1', ...anchorNames].sort(),
    );
    const points = await marks('chart-rd', 'point');
    expect(points.filter((label) => field(label, 'codec') === 'v1')).toHaveLength(QUALITIES.length);
    for (const name of anchorNames) {
      expect(
        points.filter((label) => field(label, 'codec') === name).length,
      ).toBeGreaterThanOrEqual(4);
    }
    // Readable axes: titles with units, tick values.
    const rdText = await page.locator('#chart-rd svg').innerHTML();
    expect(rdText).toContain('bitrate (kbit/s, log scale)');
    expect(rdText).toContain('PSNR-Y (dB)');

    // Values on hover: a point of v1 shows its setting, bitrate and PSNR.
    const tooltip = page.locator('#chart-tooltip');
    await page
      .locator('#chart-rd [aria-roledescription="point"][aria-label*="codec: v1;"]')
      .first()
      .hover({ force: true });
    await tooltip.waitFor({ state: 'visible' });
    const tip = await tooltip.innerText();
    expect(tip).toMatch(/codec: v1/);
    expect(tip).toMatch(/setting: q 0\.\d\d/);
    expect(tip).toMatch(/bitrate \(kbit\/s\): [\d,.]+/);
    expect(tip).toMatch(/PSNR-Y \(dB\): \d+\.\d\d/);
    await page.screenshot({ path: `${ROOT}test-results/dashboard-rd-tooltip.png`, fullPage: true });
    await page
      .locator('#chart-timeline [aria-roledescription="rect mark"]')
      .first()
      .hover({ force: true });
    await expect.poll(() => tooltip.innerText()).toMatch(/outcome: (succeeded|failed)/);
    await page.mouse.move(0, 0);

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
    expect(consoleErrors).toEqual([]);

    await page.screenshot({ path: `${ROOT}test-results/dashboard.png`, fullPage: true });
    await page.close();
  });

  it('codec-lab plot draws the same version into the screenshot folder, as SVG and PNG', async () => {
    for (const out of ['rd_v1.svg', 'rd_v1.png']) {
      const path = `${ROOT}test-results/${out}`;
      rmSync(path, { force: true });
      expect(await main(['plot', '--data-dir', dataDir, '--out', path])).toBe(0);
      expect(statSync(path).size).toBeGreaterThan(10_000);
    }
    const svg = readFileSync(`${ROOT}test-results/rd_v1.svg`, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('PSNR-Y (dB)');
  });
});
