/**
 * The status server as a Hono app: sub-apps per concern, services in `c.var`, one error
 * handler, every request logged as one JSON line. Tested with app.request(), no port needed.
 */
import { Hono } from 'hono';
import { isCodecLabError } from '../errors.js';
import { adminRoutes } from './admin-routes.js';
import { apiRoutes } from './api-routes.js';
import { chartRoutes } from './chart-routes.js';
import { CONTENT_SECURITY_POLICY, dashboardRoutes } from './dashboard-routes.js';
import { healthRoutes } from './health-routes.js';
import { HttpError, errorBody } from './http-error.js';
import { metricsRoutes } from './metrics-routes.js';
import type { ServerEnv, ServerServices } from './services.js';

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function createApp(services: ServerServices): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const log = services.log.child({ component: 'http' });

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('services', services);
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  });

  app.route('/', healthRoutes());
  app.route('/', metricsRoutes());
  app.route('/api', apiRoutes());
  app.route('/api', chartRoutes());
  app.route('/api', adminRoutes());
  app.route('/', dashboardRoutes());

  app.notFound((c) =>
    c.json(
      errorBody(
        'NOT_FOUND',
        `no route ${c.req.method} ${c.req.path}: the endpoints are listed in the README (section "Status server")`,
      ),
      404,
    ),
  );

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      return c.json(errorBody(error.code, error.message), error.status, error.headers);
    }
    if (isCodecLabError(error, 'STORE_FAILED')) {
      log.error({ err: error, path: c.req.path }, 'store unavailable');
      return c.json(errorBody('STORE_UNAVAILABLE', error.message), 503);
    }
    log.error({ err: error, path: c.req.path }, 'request failed');
    return c.json(
      errorBody('INTERNAL', 'internal error: the server log has the details (docker logs)'),
      500,
    );
  });

  return app;
}
