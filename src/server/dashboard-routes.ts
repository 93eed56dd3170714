/**
 * The dashboard: one HTML page, its script and its stylesheet, all served from here (no CDN).
 * The page holds no data and no inline script; the script builds every element with
 * textContent, and the Content-Security-Policy forbids anything else from running.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { ServerEnv } from './services.js';

const ASSETS = new URL('../../assets/dashboard/', import.meta.url);

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

export function dashboardRoutes(): Hono<ServerEnv> {
  const dashboard = new Hono<ServerEnv>();
  for (const { path, file, type } of FILES) {
    const body = readFileSync(new URL(file, ASSETS), 'utf8');
    dashboard.get(path, (c) =>
      c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }),
    );
  }
  return dashboard;
}
