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
 * No 'unsafe-eval' and no inline script: Vega evaluates its charts' expressions with
 * vega-interpreter (parse with `ast: true`), never with `Function`.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
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

const INTERPRETER_IMPORT =
  "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';";
const INTERPRETER_EXPORT = 'export { expression as expressionInterpreter };';

/**
 * vega-interpreter ships only as an ES module importing vega-util, whose functions the vega
 * build already exports on `window.vega`: this turns it into a classic script that takes
 * them from there and sets `window.vegaInterpreter`. The two lines it rewrites are checked,
 * so a new release with other imports fails at start, not in the browser.
 */
export function interpreterScript(module: string): string {
  if (!module.includes(INTERPRETER_IMPORT) || !module.includes(INTERPRETER_EXPORT)) {
    throw new Error(
      'vega-interpreter changed its imports or exports; update interpreterScript (server/dashboard-routes.ts) for the installed release',
    );
  }
  const body = module
    .replace(
      INTERPRETER_IMPORT,
      'const { ascending, isString, DisallowedObjectProperties } = window.vega;',
    )
    .replace(INTERPRETER_EXPORT, 'window.vegaInterpreter = { expressionInterpreter: expression };');
  return `(() => {\n${body}\n})();\n`;
}

/** The charting libraries, exactly as installed (package.json pins their versions). */
export const VENDOR_FILES = [
  { path: '/vendor/vega.min.js', file: browserBuild('vega', 'vega.min.js') },
  { path: '/vendor/vega-lite.min.js', file: browserBuild('vega-lite', 'vega-lite.min.js') },
  {
    path: '/vendor/vega-interpreter.js',
    file: fileURLToPath(import.meta.resolve('vega-interpreter')),
    transform: interpreterScript,
  },
] as const;

export function dashboardRoutes(): Hono<ServerEnv> {
  const dashboard = new Hono<ServerEnv>();
  for (const { path, file, type } of FILES) {
    const body = readFileSync(new URL(file, ASSETS), 'utf8');
    dashboard.get(path, (c) =>
      c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }),
    );
  }
  for (const vendor of VENDOR_FILES) {
    const source = readFileSync(vendor.file, 'utf8');
    const body = 'transform' in vendor ? vendor.transform(source) : source;
    const { path } = vendor;
    dashboard.get(path, (c) =>
      c.body(body, 200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'public, max-age=3600',
      }),
    );
  }
  return dashboard;
}
