import { describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS } from '../../src/governance/chat.js';
import { AdminGuard } from '../../src/server/admin-auth.js';
import { TOKEN, bearer, testServer } from './server-fakes.js';

interface ErrorJson {
  error: { code: string; message: string };
}

const ask = (question: unknown) => JSON.stringify({ question });

describe('admin routes without a configured token', () => {
  it.each([
    ['POST', '/api/chat'],
    ['POST', '/api/control/pause'],
    ['POST', '/api/control/resume'],
    ['POST', '/api/control/stop'],
    ['GET', '/api/control'],
  ])('%s %s is disabled (403) and says how to enable it', async (method, path) => {
    const { app, chat, control } = testServer({ token: null, withLoop: true });
    const response = await app.request(path, {
      method,
      headers: bearer('anything-at-all-0123456'),
      ...(method === 'POST' ? { body: ask('hi') } : {}),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as ErrorJson;
    expect(body.error.code).toBe('ADMIN_DISABLED');
    expect(body.error.message).toMatch(/CODEC_LAB_ADMIN_TOKEN/);
    expect(chat.questions).toEqual([]);
    expect(control.state).toBe('running');
  });
});

describe('admin authentication', () => {
  it('refuses a missing or wrong token with 401 and WWW-Authenticate', async () => {
    const { app, chat } = testServer();
    const missing = await app.request('/api/chat', { method: 'POST', body: ask('hi') });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as ErrorJson).error.message).toMatch(/Authorization: Bearer/);
    const wrong = await app.request('/api/chat', {
      method: 'POST',
      headers: bearer(`${TOKEN}x`),
      body: ask('hi'),
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as ErrorJson).error.code).toBe('UNAUTHORIZED');
    const basic = await app.request('/api/control/pause', {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect(chat.questions).toEqual([]);
  });

  it('rate-limits wrong tokens per address: 429 with Retry-After, lifted after the window', async () => {
    const { app, clock } = testServer({ withLoop: true });
    const attempt = (token: string) =>
      app.request('/api/control/pause', { method: 'POST', headers: bearer(token) });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-token-000000000')).status).toBe(401);
    const limited = await attempt('wrong-token-000000000');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as ErrorJson).error.code).toBe('RATE_LIMITED');
    clock.now += 30_000;
    expect((await attempt('wrong-token-000000000')).headers.get('retry-after')).toBe('30');
    clock.now += 30_001;
    expect((await attempt('wrong-token-000000000')).status).toBe(401);
  });

  it('lets the right token through while its address is rate-limited (no lockout of the operator)', async () => {
    const { app, control } = testServer({ withLoop: true });
    const attempt = (token: string) =>
      app.request('/api/control/pause', { method: 'POST', headers: bearer(token) });
    // Someone else behind the same address (a port proxy, a tunnel) fails until limited.
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-token-000000000')).status).toBe(401);
    expect((await attempt('wrong-token-000000000')).status).toBe(429);
    const operator = await attempt(TOKEN);
    expect(operator.status).toBe(200);
    expect(control.state).toBe('paused');
    expect((await attempt('wrong-token-000000000')).status).toBe(429);
  });

  it('does not count requests without a token towards the limit', async () => {
    const { app } = testServer({ withLoop: true });
    const anonymous = () => app.request('/api/control/pause', { method: 'POST' });
    for (let i = 0; i < 20; i++) expect((await anonymous()).status).toBe(401);
    // Still the full allowance of wrong tokens before the limit.
    for (let i = 0; i < 5; i++) {
      const wrong = await app.request('/api/control/pause', {
        method: 'POST',
        headers: bearer('wrong-token-000000000'),
      });
      expect(wrong.status).toBe(401);
    }
    expect((await anonymous()).status).toBe(401);
    expect((await app.request('/api/control', { headers: bearer(TOKEN) })).status).toBe(200);
  });
});

describe('AdminGuard', () => {
  it('accepts exactly the token, counts wrong tokens per address, and forgets them after the window', () => {
    let now = 0;
    const guard = new AdminGuard('right-token-0123456789', () => now, 2, 1000);
    expect(guard.check('Bearer right-token-0123456789', 'a')).toEqual({ ok: true });
    expect(guard.check('bearer right-token-0123456789 ', 'a')).toEqual({ ok: true });
    expect(guard.check('Bearer right-token-012345678', 'a')).toMatchObject({ reason: 'wrong' });
    expect(guard.check('Bearer right-token-01234567', 'a')).toMatchObject({ reason: 'wrong' });
    expect(guard.check('Bearer right-token-0123456', 'a')).toMatchObject({
      reason: 'rate_limited',
      retryAfterS: 1,
    });
    expect(guard.check('Bearer right-token-0123456', 'b')).toMatchObject({ reason: 'wrong' });
    now = 1001;
    expect(guard.check('Bearer right-token-0123456', 'a')).toMatchObject({ reason: 'wrong' });
    expect(new AdminGuard(null).check('Bearer x', 'a')).toMatchObject({ reason: 'disabled' });
  });

  it('always accepts the right token, even from a rate-limited address', () => {
    const guard = new AdminGuard('right-token-0123456789', () => 0, 2, 1000);
    guard.check('Bearer wrong', 'a');
    guard.check('Bearer wrong', 'a');
    expect(guard.check('Bearer wrong', 'a')).toMatchObject({ reason: 'rate_limited' });
    expect(guard.check('Bearer right-token-0123456789', 'a')).toEqual({ ok: true });
  });

  it.each([undefined, '', 'Basic YWRtaW46eA==', 'Bearer', 'Bearer   '])(
    'calls %j missing and never counts it',
    (authorization) => {
      const guard = new AdminGuard('right-token-0123456789', () => 0, 1, 1000);
      for (let i = 0; i < 5; i++) {
        expect(guard.check(authorization, 'a')).toMatchObject({ reason: 'missing' });
      }
      expect(guard.check('Bearer wrong', 'a')).toMatchObject({ reason: 'wrong' });
      expect(guard.check('Bearer wrong', 'a')).toMatchObject({ reason: 'rate_limited' });
      // A limited address without a token still hears how to authenticate.
      expect(guard.check(authorization, 'a')).toMatchObject({ reason: 'missing' });
    },
  );
});

describe('POST /api/chat', () => {
  it('answers from the chat service', async () => {
    const { app, chat } = testServer();
    const response = await app.request('/api/chat', {
      method: 'POST',
      headers: bearer(),
      body: ask('  why do attempts fail?  '),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ source: 'offline' });
    expect(chat.questions).toEqual(['why do attempts fail?']);
  });

  it.each([
    ['not JSON', 'question=hi', /must be JSON/],
    ['no question', JSON.stringify({}), /question must be a string/],
    ['an empty question', ask('   '), /must not be empty/],
    ['a number', ask(42), /question must be a string/],
    ['extra fields', JSON.stringify({ question: 'hi', shell: 'ls' }), /shell/],
    ['a question too long', ask('x'.repeat(MAX_QUESTION_CHARS + 1)), /at most 2000 characters/],
  ])('refuses %s with a 400', async (_what, body, message) => {
    const { app, chat } = testServer();
    const response = await app.request('/api/chat', { method: 'POST', headers: bearer(), body });
    expect(response.status).toBe(400);
    const error = (await response.json()) as ErrorJson;
    expect(error.error.code).toBe('BAD_REQUEST');
    expect(error.error.message).toMatch(message);
    expect(chat.questions).toEqual([]);
  });

  it('refuses a body over 16 KiB', async () => {
    const { app } = testServer();
    const response = await app.request('/api/chat', {
      method: 'POST',
      headers: bearer(),
      body: ask('x'.repeat(20_000)),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorJson).error.message).toMatch(/16384 bytes/);
  });

  it('answers 503 when no chat service is wired in', async () => {
    const { app } = testServer({ withChat: false });
    const response = await app.request('/api/chat', {
      method: 'POST',
      headers: bearer(),
      body: ask('hi'),
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as ErrorJson).error.code).toBe('CHAT_UNAVAILABLE');
  });
});

describe('loop control', () => {
  it('pauses, resumes and stops the loop of this process', async () => {
    const { app, control } = testServer({ withLoop: true });
    const post = async (action: string) => {
      const response = await app.request(`/api/control/${action}`, {
        method: 'POST',
        headers: bearer(),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { state: string };
    };
    expect(await post('pause')).toEqual({ state: 'paused', in_flight: 0 });
    expect(control.state).toBe('paused');
    expect((await post('resume')).state).toBe('running');
    expect(control.state).toBe('running');
    expect((await post('stop')).state).toBe('stopping');
    expect(control.stopRequested).toBe(true);
    const state = await app.request('/api/control', { headers: bearer() });
    expect(await state.json()).toEqual({ state: 'stopping', in_flight: 0 });
  });

  it('answers 409 in a server without a loop', async () => {
    const { app } = testServer();
    const response = await app.request('/api/control/pause', {
      method: 'POST',
      headers: bearer(),
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorJson).error.message).toMatch(/run --serve/);
  });
});
