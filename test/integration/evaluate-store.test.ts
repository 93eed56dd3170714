/**
 * `codec-lab evaluate` records through the store: `status --json` counts its attempt, on a
 * fresh data directory and next to a process that holds the store (as a run does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { BUILTIN_CLIP, JPEG_CODEC, ROOT, runCli } from './support.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-evaluate-store-'));
  dirs.push(dir);
  return dir;
}

const EVALUATE = ['--clips', BUILTIN_CLIP, '--frames', '2', '--qualities', '0.3,0.7', '--json'];

interface Status {
  attempts: number;
  attempts_by_origin: { run: number; evaluate: number };
  failures: number;
  last_attempt: { id: string; origin: string } | null;
}

async function evaluate(codec: string, dir: string): Promise<{ attempt_id: string; ok: boolean }> {
  const run = await runCli(['evaluate', codec, ...EVALUATE, '--data-dir', dir]);
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { attempt_id: string; ok: boolean };
}

async function status(dir: string): Promise<Status> {
  const run = await runCli(['status', '--json', '--data-dir', dir]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Status;
}

function holdStore(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `${ROOT}test/fixtures/store-holder.ts`, dir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) =>
      chunk.toString().startsWith('ready') ? resolve(child) : reject(new Error(chunk.toString())),
    );
  });
}

describe('codec-lab evaluate, then codec-lab status', () => {
  it('counts the attempt, with its origin, on a fresh data directory', async () => {
    const dir = join(dataDir(), 'fresh');
    const result = await evaluate(JPEG_CODEC, dir);
    expect(result.ok).toBe(true);
    const after = await status(dir);
    expect(after).toMatchObject({
      attempts: 1,
      attempts_by_origin: { run: 0, evaluate: 1 },
      last_attempt: { id: result.attempt_id, origin: 'evaluate' },
    });
    expect(readFileSync(join(dir, 'code_attempts', `attempt_${result.attempt_id}.py`))).toEqual(
      readFileSync(JPEG_CODEC),
    );
    const bad = join(dir, 'bad.py');
    writeFileSync(bad, 'import os\n');
    const refused = await evaluate(bad, dir);
    expect(refused.ok).toBe(false);
    expect(await status(dir)).toMatchObject({
      attempts: 2,
      failures: 1,
      attempts_by_origin: { run: 0, evaluate: 2 },
      last_attempt: { id: refused.attempt_id, origin: 'evaluate' },
    });
  });

  it('records next to a process that holds the store and writes to it, as a run does', async () => {
    const dir = dataDir();
    const holder = await holdStore(dir);
    let result: { attempt_id: string; ok: boolean };
    try {
      result = await evaluate(JPEG_CODEC, dir);
      const during = await status(dir);
      expect(during.attempts_by_origin.evaluate).toBe(1);
      expect(during.attempts_by_origin.run).toBeGreaterThan(0);
    } finally {
      const stopped = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGTERM');
      await stopped;
    }
    // The holder's next start finds nothing to repair, and the attempt where it belongs.
    const store = SqliteStore.open({ dataDir: dir });
    try {
      expect(store.recovery.orphaned).toEqual([]);
      expect(store.recovery.restored).toEqual([]);
      expect(store.attempt(result.attempt_id)).toMatchObject({
        origin: 'evaluate',
        ok: true,
        version: null,
      });
      expect(store.versions()).toEqual([]);
      expect(existsSync(join(dir, 'code_attempts', `attempt_${result.attempt_id}.py`))).toBe(true);
    } finally {
      store.close();
    }
  });
});
