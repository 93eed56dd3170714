/**
 * `codec-lab run` as a user runs it: the offline generator on the built-in clip, then status and
 * versions; and crash safety: `kill -9` at random moments, restart, and the invariants hold.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OWNER_LABEL } from '../../src/sandbox/hardening.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ROOT, runCli, sandboxContainers } from './support.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-run-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const FAST = ['--generator', 'offline', '--qualities', '0.1,0.4,0.7,0.9', '--frames', '4'];

describe('codec-lab run', () => {
  it('runs the loop, stores every attempt, and status/versions read the store', async () => {
    const dir = dataDir();
    const run = await runCli(['run', ...FAST, '--iterations', '3', '--data-dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/stopped \(3 iterations done\): 3 iterations, 3 attempts stored/);

    const status = await runCli(['status', '--json', '--data-dir', dir]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      running: boolean;
      attempts: number;
      successes: number;
      versions: Array<{ version: number; attempt_id: string }>;
    };
    expect(parsed.running).toBe(false);
    expect(parsed.attempts).toBe(3);
    expect(parsed.versions.length).toBeGreaterThanOrEqual(1);

    const versions = await runCli(['versions', '--json', '--data-dir', dir]);
    const list = JSON.parse(versions.stdout) as Array<Record<string, unknown>>;
    expect(list.map((v) => v.version)).toEqual(list.map((_, i) => i + 1));
    for (const v of list) {
      expect(Object.keys(v).sort()).toEqual([
        'adopted_at',
        'attempt_id',
        'bd_rate',
        'version',
        'worst_block_psnr_y_db',
      ]);
      // Measured on this run's frames: a finite figure, never a placeholder.
      expect(v.worst_block_psnr_y_db).toEqual(expect.any(Number));
      expect(Number.isFinite(v.worst_block_psnr_y_db)).toBe(true);
      expect(Object.keys(v.bd_rate as object).sort()).toEqual([
        'av1',
        'jpeg',
        'previous',
        'vp9',
        'x264',
        'x265',
      ]);
    }
    expect(list[0]?.bd_rate).toMatchObject({ previous: null });

    // The seed's tree: every attempt's code, every version, the best codec.
    const attempts = readdirSync(join(dir, 'code_attempts')).filter((f) =>
      /^attempt_\d+\.py$/.test(f),
    );
    expect(attempts).toHaveLength(3);
    expect(
      readdirSync(join(dir, 'codec_versions')).filter((f) => f.startsWith('codec_attempt_')),
    ).toHaveLength(3);
    const best = JSON.parse(readFileSync(join(dir, 'best_codec_implementation.json'), 'utf8')) as {
      version: number;
      attempt_id: string;
    };
    expect(best.version).toBe(list.length);
    expect(best.attempt_id).toBe(list.at(-1)?.attempt_id);
  });

  it('survives kill -9 at random moments: nothing finished is lost, numbering continues, no container is left', async () => {
    const dir = dataDir();
    let seenAttempts = 0;
    const killed: number[] = [];
    for (let round = 0; round < 5; round++) {
      const child = spawn(
        process.execPath,
        [`${ROOT}bin/codec-lab.js`, 'run', ...FAST, '--iterations', '50', '--data-dir', dir],
        {
          cwd: ROOT,
          stdio: 'ignore',
          env: { ...process.env, CODEC_LAB_LOG_LEVEL: 'warn' },
        },
      );
      killed.push(child.pid!);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Somewhere between start-up (store open, anchors) and a few evaluations.
      await new Promise((resolve) => setTimeout(resolve, 3_000 + Math.random() * 12_000));
      child.kill('SIGKILL');
      await exited;

      const store = SqliteStore.open({ dataDir: dir });
      try {
        const page = store.attempts({ limit: 1000, offset: 0, order: 'asc' });
        // Nothing that was stored is lost, ids keep increasing.
        expect(page.total).toBeGreaterThanOrEqual(seenAttempts);
        seenAttempts = page.total;
        const ids = page.attempts.map((a) => Number(a.id));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        for (const attempt of page.attempts) {
          const file = join(dir, 'code_attempts', `attempt_${attempt.id}.py`);
          expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(
            attempt.codeSha256,
          );
        }
        // Versions 1..N with no gap, the best file agrees with the last one.
        const versions = store.versions();
        expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1));
        const bestFile = join(dir, 'best_codec_implementation.json');
        if (versions.length > 0) {
          const best = JSON.parse(readFileSync(bestFile, 'utf8')) as { version: number };
          expect(best.version).toBe(versions.length);
        } else {
          expect(existsSync(bestFile)).toBe(false);
        }
      } finally {
        store.close();
      }
    }
    // The next command reaps what the killed runs left behind.
    const reap = await runCli(['reap']);
    expect(reap.code).toBe(0);
    const ownerPid = (info: { Labels: Record<string, string> }): number =>
      Number((info.Labels[OWNER_LABEL] ?? '').split(':')[1]);
    const left = (await sandboxContainers()).filter((info) => killed.includes(ownerPid(info)));
    expect(
      left.map((info) => `${info.Id.slice(0, 12)} ${info.State} ${info.Labels[OWNER_LABEL]}`),
      `reap said: ${reap.stdout}`,
    ).toEqual([]);
    // A last, clean run continues the numbering.
    const before = seenAttempts;
    const last = await runCli(['run', ...FAST, '--iterations', '1', '--data-dir', dir]);
    expect(last.code, last.stderr).toBe(0);
    const store = SqliteStore.openReadOnly({ dataDir: dir });
    try {
      expect(store.totals().attempts).toBe(before + 1);
    } finally {
      store.close();
    }
  });
});
