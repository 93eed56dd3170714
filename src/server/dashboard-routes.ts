/**
 * The dashboard: one HTML page, its script and its stylesheet, and the Vega and Vega-Lite
 * browser builds from node_modules, all served from here (no CDN). The page holds no data and
 * no inline script; the script builds every element with textContent, and the
 * Content-Security-Policy forbids anything else from running.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { ServerEnv } from './services.js';

const ASSETS = new URL('../../assets/dashboard/', import.meta.url);

/**
 * 'unsafe-eval': Vega compiles the expressions of a chart spec with `Function`; the specs are
 * built by this server (charts/), and LLM text only ever reaches them as data values, which
 * are never compiled. Inline script stays forbidden.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/dashboard.js', file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { path: '/dashboard.css', file: 'dashboard.css', type: 'text/css; charset=utf-8' },
] as const;

/** A package's browser build, next to the module its `exports` name (no deep import needed). */
function browserBuild(pkg: string, file: string): string {
  return join(dirname(fileURLToPath(import.meta.resolve(pkg))), file);
}

/** The charting libraries, exactly as installed (package.json pins their versions). */
export const VENDOR_FILES = [
  { path: '/vendor/vega.min.js', file: browserBuild('vega', 'vega.min.js') },
  { path: '/vendor/vega-lite.min.js', file: browserBuild('vega-lite', 'vega-lite.min.js') },
] as const;

export function dashboardRoutes(): Hono<ServerEnv> {
  const dashboard = new Hono<ServerEnv>();
  for (const { path, file, type } of FILES) {
    const body = readFileSync(new URL(file, ASSETS), 'utf8');
    dashboard.get(path, (c) =>
      c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }),
    );
  }
  for (const { path, file } of VENDOR_FILES) {
    const body = readFileSync(file, 'utf8');
    dashboard.get(path, (c) =>
      c.body(body, 200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'public, max-age=3600',
      }),
    );
  }
  return dashboard;
}
