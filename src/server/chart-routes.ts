/**
 * The dashboard's charts as Vega-Lite specs (docs/ARCHITECTURE.md §7.3), built by the same code
 * as `codec-lab plot` and the reports; the browser compiles and draws them with the Vega and
 * Vega-Lite builds this server serves from node_modules (dashboard-routes.ts).
 */
import { Hono } from 'hono';
import { timelineChartSpec } from '../charts/timeline-chart.js';
import { attemptRdChart, chooseVersion } from '../governance/rd-plot.js';
import { TIMELINE_ATTEMPTS, timelineQuery } from './api-routes.js';
import { timeline } from './attempt-json.js';
import { parseParams } from './query.js';
import type { ServerEnv } from './services.js';

/** Panels of the dashboard's RD chart: three per row, smaller than a file's. */
const DASHBOARD_RD = { columns: 3, panelWidth: 280, panelHeight: 210 } as const;

export function chartRoutes(): Hono<ServerEnv> {
  const charts = new Hono<ServerEnv>();

  /** The newest version against every anchor cached on its clips; `spec: null` before v1. */
  charts.get('/charts/rd', async (c) => {
    const { store, anchors } = c.var.services;
    const chosen = chooseVersion(store);
    if (chosen === null) {
      return c.json({ version: null, note: 'no version adopted yet', notes: [], spec: null });
    }
    const label = `v${chosen.version.version}`;
    const chart = attemptRdChart(chosen.attempt, label, await anchors(), DASHBOARD_RD);
    return c.json({
      version: { version: chosen.version.version, attempt_id: chosen.attempt.id },
      note:
        chart === null
          ? `${label} (attempt ${chosen.attempt.id}) has no stored RD points`
          : `${chart.title}: ${chart.data.series.length - 1} anchor(s) on ${chosen.attempt.metrics?.clips.length ?? 0} clip(s)`,
      notes: chart?.data.notes ?? [],
      spec: chart?.spec ?? null,
    });
  });

  charts.get('/charts/timeline', (c) => {
    const params = parseParams(timelineQuery, c.req.query(), 'query parameters');
    const page = c.var.services.store.attempts({
      limit: TIMELINE_ATTEMPTS,
      offset: 0,
      order: 'desc',
    });
    const slices = timeline(page.attempts, params.buckets ?? 24);
    return c.json({
      attempts: page.attempts.length,
      total: page.total,
      slices: slices.length,
      spec: timelineChartSpec(slices),
    });
  });

  return charts;
}
