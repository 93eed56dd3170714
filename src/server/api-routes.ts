/**
 * The read-only JSON API: status, attempts (paged, filtered), one attempt in full, versions,
 * the latest self-governance report, the measured anchors, and the success/failure timeline.
 */
import { basename } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { statusJson, versionsJson } from '../store/summaries.js';
import { FAILURE_CATEGORIES, STAGES } from '../evaluation/failure.js';
import { ATTEMPT_ORIGINS, MAX_PAGE_SIZE, isAttemptId, type AttemptQuery } from '../store/store.js';
import { attemptDetailJson, attemptSummaryJson, timeline } from './attempt-json.js';
import { HttpError } from './http-error.js';
import { parseParams } from './query.js';
import type { ServerEnv, ServerServices } from './services.js';

const ATTEMPT_STAGES = ['generate', ...STAGES] as const;
/** The timeline covers at most this many of the newest attempts. */
export const TIMELINE_ATTEMPTS = 1000;

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `${name} must be at least ${min}`)
        .max(max, `${name} must be at most ${max}`),
    );

const attemptsQuery = z
  .object({
    limit: int('limit', 1, MAX_PAGE_SIZE).optional(),
    offset: int('offset', 0, Number.MAX_SAFE_INTEGER).optional(),
    stage: z
      .enum(ATTEMPT_STAGES, { message: `stage is one of ${ATTEMPT_STAGES.join(', ')}` })
      .optional(),
    category: z
      .enum(FAILURE_CATEGORIES, { message: `category is one of ${FAILURE_CATEGORIES.join(', ')}` })
      .optional(),
    ok: z.enum(['true', 'false'], { message: 'ok is true or false' }).optional(),
    origin: z
      .enum(ATTEMPT_ORIGINS, { message: `origin is one of ${ATTEMPT_ORIGINS.join(', ')}` })
      .optional(),
    order: z.enum(['asc', 'desc'], { message: 'order is asc or desc' }).optional(),
  })
  .strict();

export const timelineQuery = z.object({ buckets: int('buckets', 1, 200).optional() }).strict();

/** The governance part of /api/status: the newest report's verdict, if there is a report. */
function governanceStatus(services: ServerServices) {
  const latest = services.latestReport();
  if (latest === null) return null;
  const { report } = latest;
  return {
    generated_at: report.generated_at,
    code_evolution_working: report.system_status.code_evolution_working,
    verdict: report.system_status.verdict,
    recommendations: report.failure_analysis.recommendations.length,
    open_action_items: report.action_items.filter((item) => item.status === 'open').length,
  };
}

export function apiRoutes(): Hono<ServerEnv> {
  const api = new Hono<ServerEnv>();

  api.get('/status', (c) => {
    const services = c.var.services;
    const loop = services.loop;
    return c.json({
      running: services.running(),
      data_dir: services.dataDir,
      loop: loop ? { state: loop.control.state, in_flight: loop.control.inFlight } : null,
      ...statusJson(services.store),
      governance: governanceStatus(services),
    });
  });

  api.get('/attempts', (c) => {
    const params = parseParams(attemptsQuery, c.req.query(), 'query parameters');
    const query: AttemptQuery = {
      limit: params.limit ?? 50,
      offset: params.offset ?? 0,
      order: params.order ?? 'desc',
      ...(params.stage ? { stage: params.stage } : {}),
      ...(params.category ? { category: params.category } : {}),
      ...(params.ok ? { ok: params.ok === 'true' } : {}),
      ...(params.origin ? { origin: params.origin } : {}),
    };
    const page = c.var.services.store.attempts(query);
    return c.json({
      total: page.total,
      limit: query.limit,
      offset: query.offset,
      attempts: page.attempts.map(attemptSummaryJson),
    });
  });

  api.get('/attempts/:id', (c) => {
    const id = c.req.param('id');
    if (!isAttemptId(id)) {
      throw new HttpError(
        400,
        'BAD_REQUEST',
        `attempt id must be the decimal number from /api/attempts, got '${id.slice(0, 40)}'`,
      );
    }
    const attempt = c.var.services.store.attempt(id);
    if (attempt === null) {
      throw new HttpError(
        404,
        'NOT_FOUND',
        `no attempt ${id}: list the ids with GET /api/attempts`,
      );
    }
    return c.json(attemptDetailJson(attempt));
  });

  api.get('/versions', (c) => c.json(versionsJson(c.var.services.store)));

  api.get('/timeline', (c) => {
    const params = parseParams(timelineQuery, c.req.query(), 'query parameters');
    const page = c.var.services.store.attempts({
      limit: TIMELINE_ATTEMPTS,
      offset: 0,
      order: 'desc',
    });
    return c.json({
      attempts: page.attempts.length,
      total: page.total,
      buckets: timeline(page.attempts, params.buckets ?? 24),
    });
  });

  api.get('/reports/latest', (c) => {
    const latest = c.var.services.latestReport();
    if (latest === null) {
      throw new HttpError(
        404,
        'NOT_FOUND',
        'no self-governance report yet: the self-debugger writes self_governance_report_<ts>.json into the data dir while the loop runs',
      );
    }
    return c.json({ file: basename(latest.path), report: latest.report });
  });

  api.get('/anchors', async (c) => c.json({ clips: await c.var.services.anchors() }));

  return api;
}
