/**
 * The dashboard's chart routes: Vega-Lite specs built by the same code as `codec-lab plot`, and
 * the Vega and Vega-Lite browser builds served from node_modules, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rdChartData, type RdRow } from '../../src/charts/rd-chart.js';
import { anchorCurves, codecCurves } from '../../src/governance/rd-plot.js';
import { interpreterScript, VENDOR_FILES } from '../../src/server/dashboard-routes.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { anchorTable, clip, clipResult, metricsFor, QUALITIES } from './loop-fakes.js';
import { testServer } from './server-fakes.js';
import { ADOPT, T0, failed, record } from './store-contract.js';

const clips = [clip('tree'), clip('vtest')];
const listed = anchorTable(clips).clips.map((row) => ({ ...row, anchors: { ...row.anchors } }));

interface RdAnswer {
  version: { version: number; attempt_id: string } | null;
  note: string;
  notes: string[];
  spec: { data: { values: RdRow[] }; facet: unknown } | null;
}

describe('GET /api/charts/rd', () => {
  it('answers the newest version’s spec, with the same rows as codec-lab plot draws', async () => {
    const store = new MemoryStore(() => T0);
    const metrics = metricsFor(clips.map((c, i) => clipResult(c, i, QUALITIES)));
    const good = store.recordAttempt(record('good = 1', { metrics }));
    store.adopt(good.id, ADOPT);
    const { app } = testServer({ store, anchors: listed });
    const response = await app.request('/api/charts/rd');
    expect(response.status).toBe(200);
    const body = (await response.json()) as RdAnswer;
    expect(body.version).toEqual({ version: 1, attempt_id: good.id });
    const expected = rdChartData({
      label: 'v1',
      clips: codecCurves(metrics),
      anchors: anchorCurves(listed),
    });
    expect(body.spec?.data.values).toEqual(expected.rows);
    expect(body.note).toContain(`v1 (attempt ${good.id})`);
    expect(body.notes).toEqual([]);
  });

  it('answers no spec before a version is adopted', async () => {
    const { app } = testServer({ anchors: listed });
    const body = (await (await app.request('/api/charts/rd')).json()) as RdAnswer;
    expect(body).toEqual({ version: null, note: 'no version adopted yet', notes: [], spec: null });
  });
});

describe('GET /api/charts/timeline', () => {
  it('answers a spec whose bars add up to the store’s attempts', async () => {
    const store = new MemoryStore(() => T0);
    store.recordAttempt(record('a = 1', { createdAtMs: T0 }));
    store.recordAttempt(failed('b = 1', 'smoke', 'timeouts', { createdAtMs: T0 + 60_000 }));
    store.recordAttempt(record('c = 1', { createdAtMs: T0 + 120_000 }));
    const { app } = testServer({ store });
    const body = (await (await app.request('/api/charts/timeline?buckets=3')).json()) as {
      slices: number;
      spec: { layer: Array<{ data: { values: Array<{ outcome?: string; count?: number }> } }> };
    };
    expect(body.slices).toBe(3);
    const bars = body.spec.layer[0]!.data.values;
    const count = (outcome: string) =>
      bars.filter((b) => b.outcome === outcome).reduce((sum, b) => sum + b.count!, 0);
    expect(count('succeeded')).toBe(2);
    expect(count('failed')).toBe(1);
    expect((await app.request('/api/charts/timeline?buckets=0')).status).toBe(400);
  });
});

describe('the charting libraries', () => {
  it('are served from node_modules, as installed, under the page’s own origin', async () => {
    const { app } = testServer();
    for (const vendor of VENDOR_FILES) {
      expect(vendor.file).toMatch(
        /node_modules\/vega(-lite|-interpreter)?\/build\/vega[-a-z.]*\.js$/,
      );
      const response = await app.request(vendor.path);
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
      const source = readFileSync(vendor.file, 'utf8');
      const body = await response.text();
      if ('transform' in vendor) {
        // The interpreter, as a classic script: no import or export statement left.
        expect(body).not.toMatch(/^\s*(import|export)\b/m);
        expect(body).toContain('window.vegaInterpreter = { expressionInterpreter: expression }');
      } else {
        expect(body).toBe(source);
      }
    }
    const page = await (await app.request('/')).text();
    for (const { path } of VENDOR_FILES) expect(page).toContain(`<script src="${path}" defer>`);
    const csp = (await app.request('/')).headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('refuses a vega-interpreter whose imports changed, at start rather than in the browser', () => {
    expect(() => interpreterScript("import { x } from 'vega-util';\nexport { y };")).toThrow(
      /vega-interpreter changed its imports or exports/,
    );
  });
});
