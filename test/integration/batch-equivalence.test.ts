/**
 * Issue 13: the batched protocol (one encoder container per clip, one decoder container per
 * quality) and the per-point protocol (one encoder and one decoder container per point) give
 * byte-identical bitstreams, decoded frames and metrics, for the JPEG anchor and three
 * offline-search codecs of different shapes, in the real sandbox. Only speed figures differ.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type EvaluationResult } from '../../src/evaluation/evaluator.js';
import { JPEG_LIKE, type Genome } from '../../src/generators/offline/genome.js';
import { render } from '../../src/generators/offline/render.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import type {
  Sandbox,
  SandboxRequest,
  SandboxRun,
  SandboxRunner,
} from '../../src/sandbox/sandbox.js';
import { JPEG_CODEC, TEST_LIMITS, builtinClip, openTestSandbox, silentLog } from './support.js';

const QUALITIES = [0.2, 0.5, 0.8];

const INTER_ARITH: Genome = {
  ...JPEG_LIKE,
  qtable: 'flat',
  rounding: 0.35,
  prediction: 'inter',
  keyint: 4,
  keyStep: 0.7,
  motion: 'block16',
  subpel: 'half',
  entropy: 'arith',
};
const PIXEL_DEFLATE: Genome = {
  ...JPEG_LIKE,
  colour: 'ycocg',
  chroma: '444',
  transform: 'none',
  prediction: 'inter',
  keyint: 8,
  motion: 'global',
  subpel: 'int',
  entropy: 'rle_deflate',
  deblock: 'on',
};

const CODECS: ReadonlyArray<readonly [string, Buffer]> = [
  ['the JPEG anchor', readFileSync(JPEG_CODEC)],
  ['an intra DCT codec with run-length bytes (JPEG_LIKE)', Buffer.from(render(JPEG_LIKE))],
  ['an inter codec with block motion and a range coder', Buffer.from(render(INTER_ARITH))],
  ['a pixel-domain inter codec with global motion and deflate', Buffer.from(render(PIXEL_DEFLATE))],
];

/** What crossed the sandbox boundary for each sweep point: its bitstream and its frames. */
type Exchange = Map<string, { bits: string; frames: string }>;

/** A Sandbox that records, for every decoder run, the bytes it was given and what it returned. */
class RecordingSandbox implements Sandbox {
  readonly exchange: Exchange = new Map();
  containers = 0;
  constructor(private readonly inner: Sandbox) {}
  get imageId(): string {
    return this.inner.imageId;
  }
  get limits(): DockerSandbox['limits'] {
    return this.inner.limits;
  }
  async run(request: SandboxRequest): Promise<SandboxRun> {
    this.containers += 1;
    const run = await this.inner.run(request);
    record(this.exchange, request, run);
    return run;
  }
  alone<T>(work: (run: SandboxRunner) => Promise<T>): Promise<T> {
    return this.inner.alone(work);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface RunSpec {
  readonly width: number;
  readonly quality: number;
  readonly frames: number;
  readonly inputs?: string;
}

function record(exchange: Exchange, request: SandboxRequest, run: SandboxRun): void {
  const files = new Map(request.files.map((file) => [file.name, file.data]));
  const job = JSON.parse(files.get('job.json')?.toString() ?? '{}') as RunSpec & {
    mode: string;
    runs?: RunSpec[];
  };
  if (job.mode !== 'decode' || !run.output.ok) return;
  const output = run.output.files;
  for (const [number, spec] of (job.runs ?? [job]).entries()) {
    const prefix = spec.inputs ?? '';
    const bits = createHash('sha256');
    const frames = createHash('sha256');
    for (let index = 0; index < spec.frames; index++) {
      const stem = `${prefix}enc/${String(index).padStart(6, '0')}`;
      bits.update(files.get(`${stem}.bin`) ?? Buffer.alloc(0));
      bits.update(files.get(`${stem}.json`) ?? Buffer.alloc(0));
      frames.update(
        output.get(`run${number}/frame${String(index).padStart(6, '0')}.bgr`) ?? Buffer.alloc(0),
      );
    }
    const key = `${spec.width}@${spec.quality}/${spec.frames}`;
    exchange.set(key, { bits: bits.digest('hex'), frames: frames.digest('hex') });
  }
}

/** A second clip of another size and content: the built-in clip's centre, frames reversed. */
function croppedClip(clip: Clip, width: number, height: number): Clip {
  const x0 = Math.floor((clip.width - width) / 2);
  const y0 = Math.floor((clip.height - height) / 2);
  const frames = clip.frames.map((frame) => {
    const out = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      const from = ((y0 + y) * clip.width + x0) * 3;
      frame.copy(out, y * width * 3, from, from + width * 3);
    }
    return out;
  });
  return { ...clip, name: 'centre', width, height, frames: frames.reverse() };
}

/** Every figure of every point except the speed ones (which are measured, so they vary). */
function nonTiming(result: EvaluationResult): unknown {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.metrics.clips.map((clip) => ({
    ...clip,
    points: clip.points.map(({ encode_fps: _e, decode_fps: _d, ...rest }) => rest),
  }));
}

describe('batched and per-point protocols', () => {
  let sandbox: DockerSandbox;
  let clips: Clip[];
  beforeAll(async () => {
    // The pure-Python range coder needs more than the default test limit on a loaded host.
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 60_000 });
    const clip = await builtinClip(4);
    clips = [clip, croppedClip(clip, 96, 64)];
  });
  afterAll(async () => {
    await sandbox.close();
  });

  for (const [name, codec] of CODECS) {
    it(`give byte-identical bitstreams, frames and metrics for ${name}`, async () => {
      const batched = new RecordingSandbox(sandbox);
      const perPoint = new RecordingSandbox(sandbox);
      const a = await new Evaluator(batched, silentLog, 2).evaluate(codec, clips, {
        qualities: QUALITIES,
      });
      const b = await new Evaluator(perPoint, silentLog, 2).evaluate(codec, clips, {
        qualities: QUALITIES,
        batching: false,
      });
      expect(nonTiming(a)).toEqual(nonTiming(b));
      // validate 1 + smoke 3 + 2 encoders + 3 decoders, against 1 + 3 + 2 × 3 × 2.
      expect(batched.containers).toBe(9);
      expect(perPoint.containers).toBe(16);
      const sweepKeys = [...batched.exchange.keys()].filter((key) => key.endsWith('/4')).sort();
      expect(sweepKeys).toHaveLength(clips.length * QUALITIES.length);
      for (const key of sweepKeys) {
        expect(batched.exchange.get(key)).toEqual(perPoint.exchange.get(key));
      }
      // Different qualities really gave different bytes: the comparison can fail.
      expect(new Set(sweepKeys.map((key) => batched.exchange.get(key)?.bits)).size).toBe(
        sweepKeys.length,
      );
    }, 600_000);
  }
});
