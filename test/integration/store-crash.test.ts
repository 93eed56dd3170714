/**
 * Crash safety of the store: a child process writes attempts and adoptions in a loop and is
 * killed with SIGKILL at random moments; after each kill the store is reopened (which repairs
 * the tree) and the invariants are checked.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { RecoveryReport } from '../../src/store/reconcile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = join(ROOT, 'test/fixtures/store-crash-writer.ts');
const MIN_KILLS = 20;
const MAX_KILLS = 60;
/** After MIN_KILLS, keep going (up to MAX_KILLS) until a kill has left files without a row. */
const TIME_BUDGET_MS = 90_000;

const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const sha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

interface Round {
  readonly attempts: string[];
  readonly versions: Array<{ version: number; attemptId: string }>;
}

/** Runs the writer until it has been going for `runMs`, then SIGKILLs it. */
function runAndKill(runMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (timer === undefined && out.startsWith('ready\n')) {
        timer = setTimeout(() => child.kill('SIGKILL'), runMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    // 'exit' fires once the child is reaped, so its lock is gone when we reopen.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited by itself (code ${code}, ${signal}):\n${err}`));
        return;
      }
      // The last line may be cut: only complete lines count as acknowledged.
      const lines = out.split('\n').slice(0, -1);
      resolve({
        attempts: lines.flatMap((line) => /^attempt (\d+)$/.exec(line)?.slice(1) ?? []),
        versions: lines.flatMap((line) => {
          const match = /^version (\d+) (\d+)$/.exec(line);
          return match ? [{ version: Number(match[1]), attemptId: match[2] ?? '' }] : [];
        }),
      });
    });
  });
}

/** Every invariant the store promises after a crash; returns the ids it holds. */
function checkInvariants(store: SqliteStore, round: Round, previousMaxId: number): string[] {
  const page = store.attempts({ limit: 1000, offset: 0, order: 'asc' });
  const ids = page.attempts.map((attempt) => attempt.id);
  // Older pages, when there are more than 1000 attempts.
  for (let offset = 1000; offset < page.total; offset += 1000) {
    ids.push(...store.attempts({ limit: 1000, offset, order: 'asc' }).attempts.map((a) => a.id));
  }
  expect(ids).toHaveLength(page.total);
  const known = new Set(ids);

  // Acknowledged writes survived; new ids are above every id of earlier runs.
  for (const id of round.attempts) expect(known.has(id)).toBe(true);
  for (const id of round.attempts) expect(Number(id)).toBeGreaterThan(previousMaxId);
  expect([...ids].sort((a, b) => Number(a) - Number(b))).toEqual(ids);

  // Every row has its files, with the right bytes.
  const codeFiles = new Set<string>();
  for (const id of ids) {
    const attempt = store.attempt(id);
    if (attempt === null) throw new Error(`attempt ${id} listed but not readable`);
    const code = join(dataDir, 'code_attempts', `attempt_${id}.py`);
    expect(sha256(code)).toBe(attempt.codeSha256);
    expect(sha256(join(dataDir, 'codec_versions', `codec_attempt_${id}.py`))).toBe(
      attempt.codeSha256,
    );
    if (!attempt.ok) {
      expect(readFileSync(join(dataDir, 'code_attempts', `error_${id}.txt`), 'utf8')).toContain(
        `attempt: ${id}\nstage: sweep\ncategory: runtime_errors`,
      );
    }
    codeFiles.add(`attempt_${id}.py`).add(`error_${id}.txt`);
  }

  // Nothing half-written is left where it would be read: no temp files, no file without a row.
  const listed = readdirSync(join(dataDir, 'code_attempts'), { withFileTypes: true });
  for (const entry of listed) {
    if (entry.isDirectory()) {
      expect(entry.name).toBe('orphaned');
      continue;
    }
    expect(codeFiles.has(entry.name)).toBe(true);
  }
  const versions = store.versions();
  const versionFiles = new Set([
    ...ids.map((id) => `codec_attempt_${id}.py`),
    ...versions.map((v) => `v${v.version}_attempt_${v.attemptId}.py`),
  ]);
  for (const name of readdirSync(join(dataDir, 'codec_versions'))) {
    expect(versionFiles.has(name)).toBe(true);
  }
  for (const name of readdirSync(dataDir)) expect(name.startsWith('.tmp-')).toBe(false);

  // Versions are 1..N, each adopted attempt once, each file the adopted code.
  expect(versions.map((v) => v.version)).toEqual(versions.map((_, index) => index + 1));
  expect(new Set(versions.map((v) => v.attemptId)).size).toBe(versions.length);
  for (const v of versions) {
    expect(sha256(join(dataDir, 'codec_versions', `v${v.version}_attempt_${v.attemptId}.py`))).toBe(
      v.codeSha256,
    );
  }
  for (const acknowledged of round.versions) {
    expect(versions[acknowledged.version - 1]?.attemptId).toBe(acknowledged.attemptId);
  }

  // best_codec_implementation.json is whole and names the latest version.
  const bestPath = join(dataDir, 'best_codec_implementation.json');
  const latest = versions.at(-1);
  if (latest === undefined) {
    expect(existsSync(bestPath)).toBe(false);
  } else {
    const best = JSON.parse(readFileSync(bestPath, 'utf8')) as Record<string, unknown>;
    expect(best).toMatchObject({
      version: latest.version,
      attempt_id: latest.attemptId,
      code_sha256: latest.codeSha256,
      code_path: `codec_versions/v${latest.version}_attempt_${latest.attemptId}.py`,
    });
  }
  return ids;
}

describe('SqliteStore under SIGKILL', () => {
  it(`keeps its invariants across at least ${MIN_KILLS} random kills`, async () => {
    const started = Date.now();
    let maxId = 0;
    let kills = 0;
    const recoveries: RecoveryReport[] = [];
    const orphanedAny = (): boolean => recoveries.some((r) => r.orphaned.length > 0);
    while (
      kills < MIN_KILLS ||
      (kills < MAX_KILLS && !orphanedAny() && Date.now() - started < TIME_BUDGET_MS)
    ) {
      const round = await runAndKill(5 + Math.random() * 250);
      kills += 1;
      const store = SqliteStore.open({ dataDir });
      try {
        recoveries.push(store.recovery);
        // Files are written before their row, so a kill can never leave a row without them
        // (a restore here would hide exactly the bug this test looks for).
        expect(store.recovery.restored).toEqual([]);
        const ids = checkInvariants(store, round, maxId);
        maxId = Math.max(maxId, ...ids.map(Number));
      } finally {
        store.close();
      }
    }
    const totals = { kills, attempts: 0, versions: 0 };
    const store = SqliteStore.open({ dataDir });
    totals.attempts = store.totals().attempts;
    totals.versions = store.versions().length;
    // A second reopen has nothing left to repair.
    expect(store.recovery).toEqual({
      removedTempFiles: [],
      orphaned: [],
      restored: [],
      bestRewritten: false,
    });
    store.close();
    console.log(
      `store crash test: ${JSON.stringify(totals)}, repairs: ` +
        JSON.stringify({
          orphaned: recoveries.reduce((n, r) => n + r.orphaned.length, 0),
          removedTempFiles: recoveries.reduce((n, r) => n + r.removedTempFiles.length, 0),
          bestRewritten: recoveries.filter((r) => r.bestRewritten).length,
        }),
    );
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(totals.attempts).toBeGreaterThan(kills);
    expect(totals.versions).toBeGreaterThan(0);
  }, 180_000);
});
