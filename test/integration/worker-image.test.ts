import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_LABEL } from '../../src/sandbox/hardening.js';
import { ROOT, docker, runCli, sandboxContainers } from './support.js';

/**
 * The operator's path from a clean clone, against the local engine (deploy/README.md, "Without
 * a cloud"): build both images, start the worker container with deploy/worker.sh on a temp data
 * dir and the offline generator, see it answer /healthz and evaluate and adopt, read its logs
 * with `docker logs`, stop it with `docker stop` and find every finished attempt on disk and
 * none of its sandbox containers left.
 */

const NAME = `codec-lab-worker-test-${process.pid}`;
const STOP_TIMEOUT_S = 180;
const WORKER_UID = 10000;

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** Runs a command from the repository root; keeps the last `keep` characters of its output. */
function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  keepChars = 20_000,
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-keepChars);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, ms: Date.now() - started }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** `docker logs` of the worker, as the operator reads them. */
async function logs(): Promise<string> {
  const result = await run('docker', ['logs', NAME], {}, Number.MAX_SAFE_INTEGER);
  return result.output;
}

async function expectRunning(): Promise<void> {
  const state = await docker.getContainer(NAME).inspect();
  if (!state.State.Running || state.RestartCount > 0) {
    throw new Error(
      `the worker exited (code ${state.State.ExitCode}, ${state.RestartCount} restarts):\n${(await logs()).slice(-4000)}`,
    );
  }
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

let dataDir = '';
let env: NodeJS.ProcessEnv = {};
let port = 0;
let build: Run;

beforeAll(async () => {
  // Cached by a hash of its inputs: a no-op when scripts/setup.sh built the same checkout.
  build = await run('scripts/build-worker-image.sh', []);
  dataDir = mkdtempSync('/tmp/codec-lab-worker-test-');
  chownSync(dataDir, WORKER_UID, WORKER_UID);
  port = await freePort();
  const conf = join(dataDir, '..', `${NAME}.conf`);
  writeFileSync(
    conf,
    [
      `NAME=${NAME}`,
      `DATA_DIR=${dataDir}`,
      `STATUS_PORT=${port}`,
      'GENERATOR=offline',
      `STOP_TIMEOUT_S=${STOP_TIMEOUT_S}`,
      'RUN_ARGS="--seed 3"',
      '',
    ].join('\n'),
  );
  env = { CODEC_LAB_WORKER_CONF: conf };
}, 1_500_000);

afterAll(async () => {
  await docker
    .getContainer(NAME)
    .remove({ force: true })
    .catch(() => undefined);
  if (env.CODEC_LAB_WORKER_CONF) rmSync(env.CODEC_LAB_WORKER_CONF, { force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the worker image', () => {
  it('builds offline from this checkout', () => {
    expect(build.output.slice(-2000)).toContain('codec-lab-worker:latest');
    expect(build.code).toBe(0);
  });

  it('runs as a non-root user under tini, with a health check, holding only the runtime', async () => {
    const info = await docker.getImage('codec-lab-worker:latest').inspect();
    expect(info.Config.User).toBe(`${WORKER_UID}:${WORKER_UID}`);
    expect(info.Config.Entrypoint?.[0]).toBe('/usr/bin/tini');
    const healthcheck = (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck;
    expect(healthcheck?.Test?.join(' ')).toContain('/healthz');

    const listing = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      'codec-lab-worker:latest',
      '-c',
      'id -u; ls /app; for p in typescript vitest eslint prettier tsx @cdktf/hcl2json playwright-core; do test -e /app/node_modules/$p && echo $p; done; echo end; node --version',
    ]);
    expect(listing.code).toBe(0);
    const [uid, ...rest] = listing.output.trim().split('\n');
    expect(uid).toBe(String(WORKER_UID));
    expect(rest.slice(0, 6)).toEqual([
      'assets',
      'bin',
      'dist',
      'node_modules',
      'package.json',
      'sandbox-image',
    ]);
    expect(rest[6]).toBe('end'); // no development dependency made it in
    expect(rest[7]).toMatch(/^v20\./);
  });

  it('runs the loop in a container: /healthz, an adoption, docker logs, a clean docker stop', async () => {
    const started = await run('deploy/worker.sh', ['start'], env);
    expect(started.output).toContain(`${NAME} started`);
    expect(started.code).toBe(0);

    // The status server answers from the host, through the published port.
    const health = await until('/healthz', 180_000, async () => {
      await expectRunning();
      // Bounded: a connection the port proxy accepts before the server listens must not hang.
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
        signal: AbortSignal.timeout(5_000),
      }).catch(() => null);
      return response?.ok ? ((await response.json()) as Record<string, unknown>) : null;
    });
    expect(health.status).toBe('ok');

    // It evaluates candidates in sandboxes and adopts the first good one.
    const adopted = await until('an adopted version in the logs', 600_000, async () => {
      await expectRunning();
      const line = jsonLines(await logs()).find((entry) =>
        String(entry.msg).startsWith('adopted as v'),
      );
      return line ?? null;
    });
    expect(adopted.msg).toBe('adopted as v1');

    // Docker's own health check (HEALTHCHECK in the Dockerfile) passes too.
    await until('a healthy container', 120_000, async () => {
      const state = await docker.getContainer(NAME).inspect();
      return state.State.Health?.Status === 'healthy' ? true : null;
    });

    // docker stop (through the runbook's command): the attempt in flight is stored, exit 0.
    const stopped = await run('deploy/worker.sh', ['stop'], env);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(STOP_TIMEOUT_S * 1000);
    const state = await docker.getContainer(NAME).inspect();
    expect(state.State.Running).toBe(false);
    expect(state.State.ExitCode).toBe(0);
    console.log(`worker stopped in ${(stopped.ms / 1000).toFixed(1)} s`);

    // The logs are pino JSON lines, from start-up to the stop.
    const entries = jsonLines(await logs());
    expect(entries.length).toBeGreaterThan(5);
    for (const entry of entries) {
      expect(entry).toMatchObject({ app: 'codec-lab' });
      expect(typeof entry.level).toBe('number');
      expect(typeof entry.msg).toBe('string');
    }
    const messages = entries.map((entry) => entry.msg);
    expect(messages).toContain('research loop starting');
    expect(messages).toContain('research loop stopped');
    // Stopped by the signal, and every iteration it had started ended as a stored attempt (or a
    // skipped duplicate): the one in flight at the stop was finished and stored, not dropped.
    const summary = entries.find((entry) => entry.msg === 'research loop stopped');
    expect(summary?.stoppedBecause).toBe('asked to stop');
    expect(summary?.iterations).toBe(
      (summary?.attempts as number) + (summary?.duplicates as number),
    );
    const status = await runCli(['status', '--json', '--data-dir', dataDir]);
    expect((JSON.parse(status.stdout) as { attempts: number }).attempts).toBe(summary?.attempts);

    // Every finished attempt is on disk, and the store agrees.
    const finished = entries
      .filter((entry) => entry.msg === 'iteration finished' && typeof entry.attemptId === 'string')
      .map((entry) => entry.attemptId as string);
    expect(finished.length).toBeGreaterThan(0);
    for (const id of finished) {
      expect(existsSync(join(dataDir, 'code_attempts', `attempt_${id}.py`)), id).toBe(true);
    }
    expect(existsSync(join(dataDir, 'best_codec_implementation.json'))).toBe(true);
    const versions = await runCli(['versions', '--json', '--data-dir', dataDir]);
    expect(versions.code).toBe(0);
    expect((JSON.parse(versions.stdout) as unknown[]).length).toBeGreaterThanOrEqual(1);

    // No sandbox container of this worker is left (they carry its hostname, NAME).
    const left = (await sandboxContainers()).filter((info) =>
      (info.Labels[OWNER_LABEL] ?? '').startsWith(`${NAME}:`),
    );
    expect(left).toEqual([]);
  }, 1_200_000);
});
