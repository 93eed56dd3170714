/**
 * The status endpoints keep answering while the loop evaluates codecs in the sandbox: a bounded
 * load on loopback (idle first, then during evaluations). Latency is printed, never asserted;
 * the assertion is that every request got a 200 and that evaluations really ran meanwhile.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLoad, hammer } from '../../bench/http-load.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import {
  FAILING_CODEC,
  LiveMetrics,
  LoopControl,
  SqliteStore,
  createApp,
  jpegCodec,
  newDataDir,
  realServices,
  researchLoop,
} from './server-support.js';
import { builtinClip, openTestSandbox } from './support.js';

const PATHS = ['/api/status', '/healthz'];
const IDLE_MS = 3_000;
const LOAD_MS = 10_000;
const CONCURRENCY = 8;

let dataDir = '';
let store: SqliteStore | undefined;
let sandbox: DockerSandbox | undefined;
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.close();
  await sandbox?.close();
  store?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('status server under load', () => {
  it('answers /api/status and /healthz with 200 while evaluations run', async () => {
    dataDir = newDataDir('codec-lab-load-');
    store = SqliteStore.open({ dataDir });
    sandbox = await openTestSandbox();
    const control = new LoopControl();
    const live = new LiveMetrics();
    server = await startServer(createApp(realServices(store, dataDir, { control, live })), {
      host: '127.0.0.1',
      port: 0,
    });

    const idle = await hammer(server.url, PATHS, { durationMs: IDLE_MS, concurrency: CONCURRENCY });

    // Distinct codecs (never evaluated twice): good ones and failing ones, alternating.
    const codes = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? `${jpegCodec()}\n# variant ${i}\n` : `${FAILING_CODEC}\n# variant ${i}\n`,
    );
    const clip = await builtinClip(4);
    const loop = researchLoop(store, dataDir, sandbox, [clip], codes, control, (report) =>
      live.observe(report),
    );
    const running = loop.run({ intervalMs: 0, parallel: 2, signal: new AbortController().signal });
    // Load starts once an evaluation is in flight (after the anchors are measured).
    const waitStarted = Date.now();
    while (control.inFlight === 0 && Date.now() - waitStarted < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(control.inFlight).toBeGreaterThan(0);
    const storedBefore = store.totals().attempts;
    const busy = await hammer(server.url, PATHS, { durationMs: LOAD_MS, concurrency: CONCURRENCY });
    const storedDuring = store.totals().attempts - storedBefore;
    const inFlightAtEnd = control.inFlight;
    control.stopAfterCurrent();
    const summary = await running;

    console.log(
      [
        `status server on loopback, ${CONCURRENCY} clients, ${PATHS.join(' + ')}:`,
        describeLoad(`idle (${IDLE_MS / 1000} s)`, idle),
        describeLoad(`during evaluations (${LOAD_MS / 1000} s)`, busy),
        `attempts stored during the load: ${storedDuring}; in flight at its end: ${inFlightAtEnd}; loop: ${summary.stoppedBecause}`,
      ].join('\n'),
    );

    for (const result of [idle, busy]) {
      expect(result.requests).toBeGreaterThan(0);
      expect([...result.statuses.keys()]).toEqual([200]);
    }
    // Evaluations really ran while the server was loaded.
    expect(storedDuring + inFlightAtEnd).toBeGreaterThan(0);
    expect(summary.stoppedBecause).toBe('stopped by an admin');
  });
});
