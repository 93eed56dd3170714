/** GET /metrics: Prometheus text format, from the store and (under `run --serve`) the loop. */
import { Hono } from 'hono';
import { modelFigures } from '../store/model-figures.js';
import { bdRatesByAnchor } from '../store/summaries.js';
import { renderMetrics } from './prometheus.js';
import type { ServerEnv } from './services.js';

export function metricsRoutes(): Hono<ServerEnv> {
  const metrics = new Hono<ServerEnv>();
  metrics.get('/metrics', (c) => {
    const { store, loop } = c.var.services;
    const incumbent = store.incumbent();
    const bd = incumbent?.attempt.assessment?.bd_rate;
    const text = renderMetrics({
      totals: store.totals(),
      models: modelFigures(store.modelOutcomes()),
      best: incumbent
        ? {
            version: incumbent.version,
            bdRatePct: bdRatesByAnchor(bd),
          }
        : null,
      loop: loop
        ? { state: loop.control.state, inFlight: loop.control.inFlight, live: loop.live }
        : null,
    });
    return c.text(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return metrics;
}
