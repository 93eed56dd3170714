/**
 * npm run bench:sandbox — the median wall time of evaluating a trivial codec on one tiny frame
 * (validate, two smoke encodes and a smoke decode, one encode and one decode: six sandbox runs, each in its own fresh container), next to a bare
 * `docker run --rm <image> python3 -c "import numpy, cv2"` measured in the same run, and their
 * ratio. Target (issue 2): ratio ≤ 1.5, pre-created containers allowed, reuse not.
 *
 * Three codec-lab figures, because they answer different questions:
 *  - warm: the pool has refilled between evaluations (the loop, where generation takes seconds)
 *  - back-to-back: evaluations with no pause at all (the pool refills as it goes)
 *  - cli: a whole `codec-lab evaluate` process, cold, as a user runs it once
 *
 * `npm run bench:sandbox -- --rounds 1` is the smallest run (CI starts it once, so a benchmark
 * that cannot start fails there); the default is 7 rounds (or BENCH_ROUNDS).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { Evaluator } from '../src/evaluation/evaluator.js';
import type { Clip } from '../src/evaluation/clip.js';
import { DockerSandbox } from '../src/sandbox/docker-sandbox.js';
import { findSandboxImage } from '../src/sandbox/image.js';
import { currentOwner } from '../src/sandbox/owner.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string' } } });
const ROUNDS = Number(flags.rounds ?? process.env.BENCH_ROUNDS ?? 7);
if (!Number.isSafeInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(`--rounds (or BENCH_ROUNDS) takes a positive integer, not ${ROUNDS}`);
/** The CLI of this checkout, wherever the benchmark is started from. */
const CLI = fileURLToPath(new URL('../bin/codec-lab.js', import.meta.url));
const TRIVIAL = Buffer.from(`import numpy as np

def compress_video_frame(frame, config):
    return {"compressed": frame.tobytes(), "metadata": {}}

def decompress_video_frame(compressed, metadata, config):
    return np.frombuffer(compressed, np.uint8).reshape(config["height"], config["width"], 3)
`);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const tinyClip: Clip = {
  name: 'tiny',
  width: 16,
  height: 16,
  fps: 10,
  frames: [Buffer.alloc(16 * 16 * 3, 128)],
  source: 'bench',
};

async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function waitForPool(sandbox: DockerSandbox, size: number): Promise<void> {
  // The pool is full once `size` containers are started and each harness has said it waits
  // for its job (its numpy and cv2 imports done: several seconds for six on two cores).
  const internals = sandbox as unknown as { ready: Array<{ isReady: boolean }> };
  const full = (): boolean =>
    internals.ready.length >= size && internals.ready.every((prepared) => prepared.isReady);
  while (!full()) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 250));
}

async function main(): Promise<void> {
  const docker = new Docker();
  const config = loadConfig(process.env);
  const image = await findSandboxImage(docker, config.sandboxImage);
  const log = pino({ level: 'silent' });

  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    execFileSync('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      image.ref,
      'python3',
      '-c',
      'import numpy, cv2',
    ]);
    bare.push(performance.now() - started);
  }

  const sandbox = await DockerSandbox.open({
    docker,
    image,
    limits: config.sandbox,
    poolSize: config.sandbox.poolSize,
    owner: currentOwner(),
    log,
  });
  const evaluator = new Evaluator(sandbox, log, config.sandbox.concurrency);
  const evaluate = async (): Promise<void> => {
    const result = await evaluator.evaluate(TRIVIAL, [tinyClip], { qualities: [0.5] });
    if (!result.ok) throw new Error(`the trivial codec failed: ${JSON.stringify(result.failure)}`);
  };
  const warm: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await waitForPool(sandbox, config.sandbox.poolSize);
    warm.push(await timeIt(evaluate));
  }
  const backToBack: number[] = [];
  for (let round = 0; round < ROUNDS; round++) backToBack.push(await timeIt(evaluate));
  await sandbox.close();

  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-bench-'));
  const codecPath = join(dir, 'trivial.py');
  writeFileSync(codecPath, TRIVIAL);
  const cli: number[] = [];
  for (let round = 0; round < Math.min(ROUNDS, 5); round++) {
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      [CLI, 'evaluate', codecPath, '--frames', '1', '--qualities', '0.5', '--data-dir', dir],
      {
        env: { ...process.env, CODEC_LAB_LOG_LEVEL: 'warn' },
      },
    );
    if (run.status !== 0) throw new Error(`codec-lab evaluate failed: ${run.stderr.toString()}`);
    cli.push(performance.now() - started);
  }
  rmSync(dir, { recursive: true, force: true });

  const baseline = median(bare);
  const row = (name: string, values: number[]): string =>
    `${name.padEnd(44)} ${median(values).toFixed(0).padStart(6)} ms   ratio ${(median(values) / baseline).toFixed(2)}`;
  console.log(
    `sandbox image ${image.ref} (${image.id.slice(0, 19)}), pool ${config.sandbox.poolSize}, ${ROUNDS} rounds, medians`,
  );
  console.log(
    `${'baseline: docker run --rm image python3 -c "import numpy, cv2"'.padEnd(44)} ${baseline.toFixed(0).padStart(6)} ms`,
  );
  console.log(row('codec-lab evaluate, warm pool', warm));
  console.log(row('codec-lab evaluate, back-to-back', backToBack));
  console.log(row('codec-lab evaluate CLI process, cold', cli));
  console.log('target: warm ratio <= 1.5');
}

await main();
