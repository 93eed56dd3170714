/**
 * Admin: the chat (answers from the governance data; no shell, no host tools) and the loop's
 * controls. Every route needs `Authorization: Bearer <CODEC_LAB_ADMIN_TOKEN>`; without a
 * configured token they are all disabled.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { MAX_QUESTION_CHARS } from '../governance/chat.js';
import type { LoopState } from '../loop/loop-control.js';
import { HttpError } from './http-error.js';
import { parseParams } from './query.js';
import type { ServerEnv } from './services.js';

const MAX_BODY_BYTES = 16 * 1024;

/** The peer's address as the socket saw it (no proxy headers: the server binds to loopback). */
export function clientAddress(c: Context<ServerEnv>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

const requireAdmin = createMiddleware<ServerEnv>(async (c, next) => {
  const { admin, log } = c.var.services;
  const address = clientAddress(c);
  const verdict = admin.check(c.req.header('authorization'), address);
  if (verdict.ok) return next();
  switch (verdict.reason) {
    case 'disabled':
      throw new HttpError(
        403,
        'ADMIN_DISABLED',
        'admin routes are disabled: set CODEC_LAB_ADMIN_TOKEN (at least 16 characters) or CODEC_LAB_ADMIN_SECRET_ID (a Secrets Manager secret holding the token) and restart',
      );
    case 'rate_limited':
      log.warn({ address, path: c.req.path }, 'admin auth rate-limited');
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `too many failed admin logins from this address: try again in ${verdict.retryAfterS} s`,
        { 'Retry-After': String(verdict.retryAfterS) },
      );
    case 'missing':
    case 'wrong':
      log.warn({ address, path: c.req.path, reason: verdict.reason }, 'admin auth failed');
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        verdict.reason === 'missing'
          ? 'send the admin token as "Authorization: Bearer <token>"'
          : 'the admin token is wrong',
        { 'WWW-Authenticate': 'Bearer realm="codec-lab admin"' },
      );
  }
});

const chatBody = z
  .object({
    question: z
      .string({ message: 'question must be a string' })
      .trim()
      .min(1, 'question must not be empty')
      .max(MAX_QUESTION_CHARS, `question must be at most ${MAX_QUESTION_CHARS} characters`),
  })
  .strict();

async function jsonBody(c: Context<ServerEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new HttpError(
      400,
      'BAD_REQUEST',
      'the body must be JSON, e.g. {"question": "why do attempts fail?"}',
    );
  }
}

export function adminRoutes(): Hono<ServerEnv> {
  const admin = new Hono<ServerEnv>();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HttpError(400, 'BAD_REQUEST', `the body must be at most ${MAX_BODY_BYTES} bytes`);
    },
  });
  admin.use('/chat', requireAdmin, limit);
  admin.use('/control/*', requireAdmin);

  admin.post('/chat', async (c) => {
    const { question } = parseParams(chatBody, await jsonBody(c), 'body');
    const { chat, log } = c.var.services;
    if (chat === null) {
      throw new HttpError(
        503,
        'CHAT_UNAVAILABLE',
        'the chat is not available in this server: it needs the self-governance service (see README)',
      );
    }
    log.info({ questionChars: question.length }, 'admin chat question');
    return c.json(await chat.answer(question, c.req.raw.signal));
  });

  const control = (
    action: string,
    apply: (loop: NonNullable<ServerEnv['Variables']['services']['loop']>) => LoopState,
  ) =>
    admin.post(`/control/${action}`, (c) => {
      const { loop, log } = c.var.services;
      if (loop === null) {
        throw new HttpError(
          409,
          'NO_LOOP',
          'no research loop runs in this server: start it with `codec-lab run --serve` to control it',
        );
      }
      const state = apply(loop);
      log.info({ action, state }, `admin: ${action}`);
      return c.json({ state, in_flight: loop.control.inFlight });
    });
  control('pause', (loop) => loop.control.pause());
  control('resume', (loop) => loop.control.resume());
  control('stop', (loop) => loop.control.stopAfterCurrent());
  admin.get('/control', requireAdmin, (c) => {
    const { loop } = c.var.services;
    return c.json(
      loop
        ? { state: loop.control.state, in_flight: loop.control.inFlight }
        : { state: null, in_flight: 0 },
    );
  });
  return admin;
}
