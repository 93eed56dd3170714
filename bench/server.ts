/**
 * npm run bench:server — latency of the status server on loopback: /api/status and /healthz
 * hammered by a few clients, first idle (the baseline), then while the research loop (offline
 * generator, real sandbox) evaluates codecs in the same process, as under `run --serve`.
 * Prints p50/p99; it asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { listAnchors } from '../src/anchors/anchor-listing.js';
import { anchorMeasurer } from '../src/cli/anchor-runtime.js';
import { selectClips } from '../src/cli/clip-selection.js';
import { connectDocker, openSandbox } from '../src/cli/runtime.js';
import { loadConfig } from '../src/config.js';
import { loadContract } from '../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../src/evaluation/adoption.js';
import { Evaluator } from '../src/evaluation/evaluator.js';
import { evaluatorPorts } from '../src/assessment/assessment.js';
import { OfflineGenerator } from '../src/generators/offline/offline-generator.js';
import { latestReport } from '../src/governance/report-files.js';
import { LoopControl } from '../src/loop/loop-control.js';
import { systemClock } from '../src/loop/clock.js';
import { ResearchLoop } from '../src/loop/research-loop.js';
import { AdminGuard } from '../src/server/admin-auth.js';
import { createApp } from '../src/server/app.js';
import { dockerHealthChecks } from '../src/server/docker-health.js';
import { LiveMetrics } from '../src/server/live-metrics.js';
import { startServer } from '../src/server/server.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { describeLoad, hammer } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PATHS = ['/api/status', '/healthz'];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-bench-server-'));
  const config = loadConfig({ ...process.env, CODEC_LAB_DATA_DIR: dataDir });
  const log = pino({ level: 'silent' });
  const selection = await selectClips(config, undefined, 4);
  const store = SqliteStore.open({ dataDir });
  const docker = await connectDocker(log);
  const sandbox = await openSandbox(docker, config, log);
  const control = new LoopControl();
  const live = new LiveMetrics();
  const server = await startServer(
    createApp({
      store,
      dataDir,
      log,
      now: Date.now,
      health: dockerHealthChecks(docker, config.sandboxImage, Date.now),
      running: () => true,
      latestReport: () => latestReport(dataDir),
      anchors: () => listAnchors(dataDir),
      admin: new AdminGuard(null),
      chat: null,
      loop: { control, live },
    }),
    { host: '127.0.0.1', port: 0 },
  );
  try {
    const evaluator = new Evaluator(sandbox, log, config.sandbox.concurrency);
    const anchors = anchorMeasurer(config, evaluator, sandbox, log);
    await anchors(selection.clips); // measured before the clock starts
    const loop = new ResearchLoop({
      store,
      generator: new OfflineGenerator({ seed: 1 }),
      ports: evaluatorPorts(evaluator, anchors),
      contract: loadContract(),
      clips: selection.clips,
      holdout: selection.holdout,
      qualities: [0.1, 0.3, 0.5, 0.7, 0.9],
      policy: DEFAULT_ADOPTION_POLICY,
      log,
      clock: systemClock,
      control,
      onIteration: (report) => live.observe(report),
    });

    const idle = await hammer(server.url, PATHS, {
      durationMs: SECONDS * 1000,
      concurrency: CONCURRENCY,
    });
    const running = loop.run({ intervalMs: 0, parallel: 2, signal: new AbortController().signal });
    while (control.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = store.totals().attempts;
    const busy = await hammer(server.url, PATHS, {
      durationMs: SECONDS * 1000,
      concurrency: CONCURRENCY,
    });
    const during = store.totals().attempts - before;
    control.stopAfterCurrent();
    await running;

    console.log(
      `status server on loopback, ${CONCURRENCY} clients cycling ${PATHS.join(' and ')}, ${SECONDS} s each`,
    );
    console.log(`  ${describeLoad('idle (baseline)', idle)}`);
    console.log(`  ${describeLoad('while the loop evaluates (parallel 2)', busy)}`);
    console.log(`  attempts stored during the loaded run: ${during}`);
  } finally {
    await server.close();
    await sandbox.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
