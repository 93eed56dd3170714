/**
 * npm run bench:loop — the research loop with the offline generator for a few iterations on the
 * built-in clip in a fresh data dir: attempts per hour, and per attempt the generation time, the
 * evaluation time (sandbox runs, of which the codec's own time is reported too) and the loop's own
 * overhead (building the context and prompt, storing, deciding) next to it, and the time the
 * self-debugger took (its analysis per prompt and its report writing, which runs after an
 * attempt is stored and so is counted here separately).
 * Target (issue 4): the loop's own overhead ≤ 5 % of an attempt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { anchorMeasurer } from '../src/cli/anchor-runtime.js';
import { selectClips } from '../src/cli/clip-selection.js';
import { connectDocker, openSandbox } from '../src/cli/runtime.js';
import { loadConfig, loadGovernanceConfig } from '../src/config.js';
import { loadContract } from '../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../src/evaluation/adoption.js';
import { Evaluator, type EvaluationResult } from '../src/evaluation/evaluator.js';
import { evaluatorPorts } from '../src/assessment/assessment.js';
import { Governor } from '../src/governance/governor.js';
import { FileReportSink } from '../src/governance/report-files.js';
import { OfflineGenerator } from '../src/generators/offline/offline-generator.js';
import { systemClock } from '../src/loop/clock.js';
import type { IterationReport } from '../src/loop/iteration-report.js';
import { ResearchLoop } from '../src/loop/research-loop.js';
import { SqliteStore } from '../src/store/sqlite-store.js';

import { devSetBench } from './loop-dev-set.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 6);

/** `--<name> N` on the command line (after `npm run bench:loop --`), else `fallback`. */
function countFlag<T extends number | undefined>(name: string, fallback: T): number | T {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`--${name} takes a positive integer, e.g. --${name} 5`);
  }
  return value;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-bench-loop-'));
  const config = loadConfig({ ...process.env, CODEC_LAB_DATA_DIR: dataDir });
  const log = pino({ level: 'silent' });
  const selection = await selectClips(config, undefined, 4);
  const store = SqliteStore.open({ dataDir });
  const sandbox = await openSandbox(await connectDocker(log), config, log);
  const reports: IterationReport[] = [];
  let codecMs = 0;
  let governanceMs = 0;
  const timed = <T>(work: () => T): T => {
    const started = performance.now();
    try {
      return work();
    } finally {
      governanceMs += performance.now() - started;
    }
  };
  const governor = new Governor({
    store,
    contract: loadContract(),
    limits: { timeoutS: config.sandbox.timeoutMs / 1000, memoryMb: config.sandbox.memoryLimitMb },
    settings: loadGovernanceConfig(process.env),
    reports: new FileReportSink(dataDir),
    log,
  });
  try {
    const evaluator = new Evaluator(sandbox, log, config.sandbox.concurrency);
    const anchors = anchorMeasurer(config, evaluator, sandbox, log);
    await anchors(selection.clips); // measured once, before the clock starts
    const loop = new ResearchLoop({
      store,
      generator: new OfflineGenerator({ seed: 1 }),
      ports: {
        ...evaluatorPorts(evaluator, anchors),
        evaluate: async (code, clips, options): Promise<EvaluationResult> => {
          const result = await evaluator.evaluate(code, clips, options);
          codecMs += result.timings.codec_ms;
          return result;
        },
      },
      contract: loadContract(),
      clips: selection.clips,
      holdout: selection.holdout,
      qualities: [0.1, 0.3, 0.5, 0.7, 0.9],
      policy: DEFAULT_ADOPTION_POLICY,
      log,
      clock: systemClock,
      recommendations: {
        recommendations: (nowMs) => timed(() => governor.recommendations(nowMs)),
        repairRecommendations: (attempt, nowMs) =>
          timed(() => governor.repairRecommendations(attempt, nowMs)),
        maybeReport: async (nowMs) => {
          const started = performance.now();
          const path = await governor.maybeReport(nowMs);
          governanceMs += performance.now() - started;
          return path;
        },
      },
      maxRepairs: 0,
      onIteration: (report) => reports.push(report),
    });
    const started = performance.now();
    await loop.run({
      iterations: countFlag('iterations', ITERATIONS),
      intervalMs: 0,
      parallel: 1,
      signal: new AbortController().signal,
    });
    const wallMs = performance.now() - started;
    const sum = (pick: (r: IterationReport) => number): number =>
      reports.reduce((s, r) => s + pick(r), 0);
    const generation = sum((r) => r.generationMs);
    const evaluation = sum((r) => r.evaluationMs);
    const overhead = sum((r) => r.loopOverheadMs);
    const perAttempt = (ms: number): string => `${(ms / reports.length).toFixed(0).padStart(7)} ms`;
    console.log(
      `offline generator, ${reports.length} iterations on ${selection.description}, concurrency ${config.sandbox.concurrency}`,
    );
    console.log(
      `  attempts per hour                      ${((reports.length / wallMs) * 3_600_000).toFixed(0).padStart(7)}`,
    );
    console.log(`  per attempt: wall                      ${perAttempt(wallMs)}`);
    console.log(`  per attempt: generation                ${perAttempt(generation)}`);
    console.log(
      `  per attempt: evaluation (sandbox runs) ${perAttempt(evaluation)}   of which the codec's own time ${perAttempt(codecMs)}`,
    );
    console.log(
      `  per attempt: the loop's own overhead   ${perAttempt(overhead)}   ${((overhead / wallMs) * 100).toFixed(2)} % of an attempt (target ≤ 5 %)`,
    );
    console.log(
      `  per attempt: the self-debugger         ${perAttempt(governanceMs)}   ${((governanceMs / wallMs) * 100).toFixed(2)} % of an attempt (analysis per prompt and reports; partly inside the overhead above)`,
    );
  } finally {
    await sandbox.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--dev-set')) {
  const at = process.argv.indexOf('--compare');
  const compare = at < 0 ? 'all' : process.argv[at + 1];
  if (compare !== 'protocol' && compare !== 'tuning' && compare !== 'all') {
    throw new Error(`--compare is protocol, tuning or all, not '${String(compare)}'`);
  }
  devSetBench(countFlag('iterations', 20), countFlag('frames', undefined), compare);
} else await main();
