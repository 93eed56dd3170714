/** GET /healthz: the process, the store, and every injected check (Docker engine, image). */
import { Hono } from 'hono';
import type { HealthCheck, ServerEnv } from './services.js';

const CHECK_TIMEOUT_MS = 3_000;

interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

function withTimeout(check: HealthCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
  });
  const run = check.run().then(
    (detail): CheckResult => ({ ok: true, detail }),
    (error: unknown): CheckResult => ({ ok: false, detail: (error as Error).message }),
  );
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

export function healthRoutes(): Hono<ServerEnv> {
  const health = new Hono<ServerEnv>();
  health.get('/healthz', async (c) => {
    const { store, health: checks } = c.var.services;
    const results: Record<string, CheckResult> = {
      process: { ok: true, detail: `pid ${process.pid}, up ${Math.round(process.uptime())} s` },
    };
    try {
      results.store = { ok: true, detail: `${store.totals().attempts} attempts` };
    } catch (error) {
      results.store = { ok: false, detail: (error as Error).message };
    }
    const outcomes = await Promise.all(checks.map(withTimeout));
    checks.forEach((check, i) => (results[check.name] = outcomes[i]!));
    const ok = Object.values(results).every((result) => result.ok);
    return c.json({ status: ok ? 'ok' : 'failing', checks: results }, ok ? 200 : 503);
  });
  return health;
}
