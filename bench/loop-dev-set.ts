/**
 * npm run bench:loop -- --dev-set [--iterations N] [--compare protocol|tuning|all] — the offline
 * generator on the prepared dev set (`codec-lab clips prepare`), N iterations (default 20) from
 * an empty data dir, each mode through the real CLI:
 * - `protocol` (#13): with the new protocol, and per point (screening, dedup and, where the
 *   CLI has it, batching turned off; tuning as the default has it in both). Prints
 *   `attempts/hour: new A, per-point B, ratio A/B`, the adopted versions of both runs, and
 *   whether screening lost an adoption the full sweep made.
 * - `tuning` (#15): the new protocol with tuning on (the default) and with `--no-tune`. Prints
 *   attempts/hour, the best adopted BD-rate against JPEG after N attempts, the BD-rate points
 *   gained per hour and what tuning cost.
 * - `all` (the default): the three distinct runs (new, per-point, untuned); `new` is the tuned
 *   run of the tuning comparison.
 *
 * `BENCH_KEEP=1` keeps the two data dirs (printed at the end) for a look at where the time went.
 *
 * Attempts/hour counts stored attempts over the span from the start of the first attempt
 * (its generation) to the recording of the last: the anchors and the process start-up are not
 * in it. The offline search is seeded, so both runs propose the same candidates until their
 * histories differ (the search reads each attempt's BD-rate, which a screened attempt lacks).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { StoredAttempt } from '../src/store/store.js';
import { compareRuns, compareTuning, type RunFacts } from './loop-sequences.js';

const CLI = join(import.meta.dirname, '..', 'bin', 'codec-lab.js');

function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const run = spawnSync(process.execPath, [CLI, ...args], { stdio: 'inherit', env });
  if (run.status !== 0) throw new Error(`codec-lab ${args.join(' ')} exited with ${run.status}`);
}

/** The prepared dev set, built once per machine user and reused (its manifest checks it). */
function preparedClips(): string {
  const dir = join(tmpdir(), `codec-lab-bench-clips-${process.getuid?.() ?? 0}`);
  if (!existsSync(join(dir, 'dev', 'manifest.json'))) cli(['clips', 'prepare', '--out', dir]);
  return dir;
}

function readRun(dataDir: string, mode: string): RunFacts {
  const store = SqliteStore.openReadOnly({ dataDir });
  try {
    const attempts: StoredAttempt[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = store.attempts({ limit: 1000, offset, order: 'asc' });
      attempts.push(...page.attempts);
      if (attempts.length >= page.total) break;
    }
    const first = attempts[0];
    const last = attempts.at(-1);
    const spanMs =
      first && last
        ? last.createdAtMs -
          (first.createdAtMs - first.timings.generationMs - first.timings.evaluationMs)
        : 0;
    return { mode, attempts, versions: store.versions(), spanMs };
  } finally {
    store.close();
  }
}

/**
 * `frames` (the bench's `--frames N`) truncates every clip, for a quick check of the bench
 * itself on a loaded machine; the figures that count use the dev set as prepared.
 */
export type DevSetComparison = 'protocol' | 'tuning' | 'all';

export function devSetBench(
  iterations: number,
  frames?: number,
  compare: DevSetComparison = 'all',
): void {
  // dist/ must be this source: the runs go through the real CLI and its flags.
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  const clips = preparedClips();
  const help = execFileSync(process.execPath, [CLI, 'run', '--help'], { encoding: 'utf8' });
  const batchingFlag = help.includes('--no-batching');
  const root = mkdtempSync(join(tmpdir(), 'codec-lab-bench-dev-set-'));
  const modes = [
    { mode: 'new', flags: [] as string[] },
    ...(compare === 'tuning'
      ? []
      : [
          {
            mode: 'per-point',
            flags: ['--no-screening', '--no-dedup', ...(batchingFlag ? ['--no-batching'] : [])],
          },
        ]),
    ...(compare === 'protocol' ? [] : [{ mode: 'untuned', flags: ['--no-tune'] }]),
  ];
  const runs: RunFacts[] = [];
  try {
    for (const { mode, flags } of modes) {
      const dataDir = join(root, mode);
      mkdirSync(dataDir);
      symlinkSync(clips, join(dataDir, 'clips'));
      // The anchors are references, not loop state: measured by the first run, reused after.
      const anchors = join(root, 'new', 'anchors');
      if (mode !== 'new' && existsSync(anchors))
        cpSync(anchors, join(dataDir, 'anchors'), { recursive: true });
      const args = [
        'run',
        '--generator',
        'offline',
        '--seed',
        '1',
        '--iterations',
        String(iterations),
        ...(frames === undefined ? [] : ['--frames', String(frames)]),
      ];
      process.stderr.write(`[bench] ${mode}: codec-lab ${[...args, ...flags].join(' ')}\n`);
      cli([...args, '--data-dir', dataDir, ...flags], {
        ...process.env,
        CODEC_LAB_LOG_LEVEL: 'warn',
      });
      runs.push(readRun(dataDir, mode));
    }
    const byMode = (mode: string): RunFacts => {
      const run = runs.find((r) => r.mode === mode);
      if (run === undefined) throw new Error(`the ${mode} run is missing`);
      return run;
    };
    if (compare !== 'tuning') {
      if (!batchingFlag) {
        console.log(
          'note: `codec-lab run` has no --no-batching here (it comes with the batched protocol); both runs evaluate per point',
        );
      }
      for (const line of compareRuns(byMode('new'), byMode('per-point'))) console.log(line);
    }
    if (compare !== 'protocol') {
      for (const line of compareTuning(byMode('new'), byMode('untuned'))) console.log(line);
    }
  } finally {
    // BENCH_KEEP=1 keeps both data dirs (their stores hold every attempt's timings) to study.
    if (process.env.BENCH_KEEP) process.stderr.write(`[bench] data dirs kept in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
}
