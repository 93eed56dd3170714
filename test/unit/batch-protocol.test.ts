import { describe, expect, it } from 'vitest';

import {
  decodeBatchRequest,
  decodeInputOf,
  encodeBatchRequest,
  splitWallMs,
} from '../../src/evaluation/batch-protocol.js';
import type { Clip } from '../../src/evaluation/clip.js';
import {
  decodeRequest,
  encodeRequest,
  interpretRun,
  maxFrameBytes,
  type EncodedFrame,
} from '../../src/evaluation/protocol.js';
import { warmPoolSize } from '../../src/sandbox/pool-size.js';
import type { SandboxLimits, SandboxRequest, SandboxRun } from '../../src/sandbox/sandbox.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 12_500,
  memoryLimitMb: 256,
  cpus: 2.5,
  pidsLimit: 32,
  tmpfsMb: 64,
};
const MIB = 1024 * 1024;
const KIB = 1024;
const CODEC = Buffer.from('def compress_video_frame(frame, config): ...\n');

function clip(name: string, width: number, height: number, frames: number): Clip {
  return {
    name,
    width,
    height,
    fps: 30,
    frames: Array.from({ length: frames }, (_, i) => Buffer.alloc(width * height * 3, i + 1)),
    source: `/clips/${name}.y4m`,
  };
}

function jobOf(request: SandboxRequest): Record<string, unknown> {
  const job = request.files.find((file) => file.name === 'job.json');
  return JSON.parse(job?.data.toString() ?? '{}') as Record<string, unknown>;
}

describe('encodeBatchRequest', () => {
  it('runs every quality of one clip from one copy of its frames, with per-run caps', () => {
    const c = clip('a', 20, 18, 3);
    const request = encodeBatchRequest(CODEC, c, [0.25, 0.75], LIMITS);
    expect(request.files.map((file) => file.name)).toEqual(['job.json', 'codec.py', 'frames.bgr']);
    const perFrame = maxFrameBytes(20, 18);
    const perRun = 3 * 2 * perFrame + MIB;
    const run = (quality: number) => ({
      width: 20,
      height: 18,
      fps: 30,
      quality,
      frames: 3,
      deadline_s: 12.5,
      max_bitstream_bytes: perFrame,
      max_result_bytes: perRun,
      inputs: '',
    });
    expect(jobOf(request)).toEqual({
      protocol: 1,
      mode: 'encode',
      threads: 2,
      runs: [run(0.25), run(0.75)],
    });
    // The container's caps are the runs' caps added up.
    expect(request.timeoutMs).toBe(2 * 12_500);
    expect(request.maxOutputBytes).toBe(2 * perRun + 2 * 256 * KIB);
  });
});

describe('decodeBatchRequest', () => {
  const bits = (tag: string, count: number): EncodedFrame[] =>
    Array.from({ length: count }, (_, i) => ({
      compressed: Buffer.from(`${tag}-${i}`),
      metadata: Buffer.from(`{"f":${i}}`),
    }));

  it('gives each run only its own bitstreams, under its own prefix, and never frames', () => {
    const a = clip('a', 20, 18, 2);
    const b = clip('b', 16, 12, 1);
    const inputs = [decodeInputOf(a, 0.5, bits('a', 2)), decodeInputOf(b, 0.5, bits('b', 1))];
    expect(inputs[0]).not.toHaveProperty('frames');
    const request = decodeBatchRequest(CODEC, inputs, LIMITS);
    expect(request.files.map((file) => file.name)).toEqual([
      'job.json',
      'codec.py',
      'in0/enc/000000.bin',
      'in0/enc/000000.json',
      'in0/enc/000001.bin',
      'in0/enc/000001.json',
      'in1/enc/000000.bin',
      'in1/enc/000000.json',
    ]);
    expect(request.files[6]?.data.toString()).toBe('b-0');
    const runs = jobOf(request).runs as Array<Record<string, unknown>>;
    expect(runs.map((run) => [run.width, run.quality, run.frames, run.inputs])).toEqual([
      [20, 0.5, 2, 'in0/'],
      [16, 0.5, 1, 'in1/'],
    ]);
    const perRun = (w: number, h: number, n: number): number => n * (w * h * 3 + 1024) + MIB;
    expect(request.maxOutputBytes).toBe(perRun(20, 18, 2) + perRun(16, 12, 1) + 2 * 256 * KIB);
    expect(request.timeoutMs).toBe(2 * 12_500);
    for (const file of request.files) {
      for (const frame of [...a.frames, ...b.frames]) {
        expect(file.data.includes(frame.subarray(0, 64))).toBe(false);
      }
    }
  });
});

describe('splitWallMs', () => {
  it('splits the measured time in proportion to the reported times', () => {
    expect(splitWallMs(1000, [0.1, 0.3])).toEqual([250, 750]);
  });

  it('never hands out more or less than the measured time, whatever the reports claim', () => {
    const shares = splitWallMs(900, [1e9, 1e-9, 3]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(900, 6);
    expect(splitWallMs(900, [-5, Number.NaN, 0])).toEqual([300, 300, 300]);
  });
});

describe('interpretRun of a batch', () => {
  it('says which run failed, and the deadline of the whole container when it was killed', () => {
    const result = {
      protocol: 1,
      mode: 'encode',
      python: '3.11.2',
      runs: [
        { failure: null, wall_s: 0.1, log: '', log_truncated: false },
        {
          failure: { category: 'runtime_errors', message: 'ValueError: x' },
          wall_s: 0.1,
          log: 'second',
          log_truncated: false,
        },
      ],
    };
    const run: SandboxRun = {
      exitCode: 0,
      oomKilled: false,
      timedOut: false,
      outputOverflow: false,
      output: { ok: true, files: new Map([['result.json', Buffer.from(JSON.stringify(result))]]) },
      stderr: '',
      wallMs: 300,
      acquireMs: 0,
      packMs: 0,
      parseMs: 0,
      imageId: 'sha256:x',
    };
    const failed = interpretRun(run, LIMITS, 25_000);
    expect(failed).toMatchObject({ ok: false, runIndex: 1, log: 'second' });
    const killed = interpretRun({ ...run, timedOut: true }, LIMITS, 25_000);
    expect(killed.ok).toBe(false);
    if (!killed.ok) {
      expect(killed.failure.message).toMatch(/deadline of 25 s/);
      expect(killed.runIndex).toBeUndefined();
    }
  });
});

describe('warmPoolSize', () => {
  it('follows the batched plan: one warm container per container in flight, at most the setting', () => {
    expect(warmPoolSize(6, { batching: true, containersInFlight: 2 })).toBe(2);
    expect(warmPoolSize(1, { batching: true, containersInFlight: 4 })).toBe(1);
    expect(warmPoolSize(0, { batching: true, containersInFlight: 2 })).toBe(0);
  });

  it('keeps the configured pool for the per-point protocol', () => {
    expect(warmPoolSize(6, { batching: false, containersInFlight: 2 })).toBe(6);
  });
});

describe("config['params'] in the jobs (docs/ARCHITECTURE.md §2.1)", () => {
  const params = { q_scale: 1.5, block: 8 };
  const c = clip('a', 20, 18, 2);
  const frames: EncodedFrame[] = [0, 1].map(() => ({
    compressed: Buffer.from('x'),
    metadata: Buffer.from('{}'),
  }));

  it('sits at the top of a batched job, which every run inherits', () => {
    expect(jobOf(encodeBatchRequest(CODEC, c, [0.25, 0.75], LIMITS, params)).params).toEqual(
      params,
    );
    const input = decodeInputOf(c, 0.25, frames);
    expect(jobOf(decodeBatchRequest(CODEC, [input, input], LIMITS, params)).params).toEqual(params);
  });

  it('is in a per-point job too, and absent when none is given (the harness uses the defaults)', () => {
    expect(jobOf(encodeRequest(CODEC, c, 0.5, LIMITS, params)).params).toEqual(params);
    expect(
      jobOf(decodeRequest(CODEC, { ...c, frameCount: 2 }, 0.5, frames, LIMITS, params)).params,
    ).toEqual(params);
    expect('params' in jobOf(encodeRequest(CODEC, c, 0.5, LIMITS))).toBe(false);
    expect('params' in jobOf(encodeBatchRequest(CODEC, c, [0.25, 0.75], LIMITS))).toBe(false);
  });
});
