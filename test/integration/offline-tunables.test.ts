/**
 * Issue 15: the offline codecs read their numeric genes from config['params'] (their TUNABLES).
 * At the defaults they write the same bitstreams and decode the same frames as the rendering
 * before tunables (test/fixtures/offline-pre-tunables/, rendered from the same genomes before
 * the change), with params absent and with params given; moved params change the bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type EvaluationResult } from '../../src/evaluation/evaluator.js';
import { JPEG_LIKE, type Genome } from '../../src/generators/offline/genome.js';
import { render } from '../../src/generators/offline/render.js';
import { offlineTunables } from '../../src/generators/offline/tunables.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import type {
  Sandbox,
  SandboxRequest,
  SandboxRun,
  SandboxRunner,
} from '../../src/sandbox/sandbox.js';
import { ROOT, TEST_LIMITS, builtinClip, openTestSandbox, silentLog } from './support.js';

/** The genomes the fixtures were rendered from (the header's origin line says the same). */
const FIXTURES: ReadonlyArray<readonly [string, Genome]> = [
  ['jpeg-like', JPEG_LIKE],
  [
    'inter-block-rle',
    {
      ...JPEG_LIKE,
      colour: 'ycocg',
      chroma: '422',
      chromaQ: 2,
      qtable: 'mild',
      rounding: 0.35,
      prediction: 'inter',
      keyint: 4,
      keyStep: 0.7,
      motion: 'block16',
      subpel: 'half',
      entropy: 'rle',
      deblock: 'on',
    },
  ],
  [
    'bgr-inter-global',
    {
      ...JPEG_LIKE,
      colour: 'bgr',
      transform: 'dct4',
      qtable: 'flat',
      rounding: 0.2,
      prediction: 'inter',
      keyint: 8,
      keyStep: 0.5,
      motion: 'global',
      entropy: 'varint',
    },
  ],
];

const QUALITIES = [0.2, 0.8];

/** A job's JSON without its `params` (the values themselves are what the test compares). */
function withoutParams(job: Buffer): string {
  const { params: _params, ...rest } = JSON.parse(job.toString()) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Every decoder run: a digest of the bitstream it was given and of the frames it returned. */
class RecordingSandbox implements Sandbox {
  readonly decodes: string[] = [];
  constructor(private readonly inner: Sandbox) {}
  get imageId(): string {
    return this.inner.imageId;
  }
  get limits(): DockerSandbox['limits'] {
    return this.inner.limits;
  }
  async run(request: SandboxRequest): Promise<SandboxRun> {
    const run = await this.inner.run(request);
    const job = request.files.find((file) => file.name === 'job.json');
    const mode = (JSON.parse(job?.data.toString() ?? '{}') as { mode?: string }).mode;
    if (mode === 'decode' && run.output.ok) {
      const hash = createHash('sha256');
      // Everything the decoder was given but the codec itself and the params the job carries
      // (the old rendering has no TUNABLES, so none), then the frames it wrote.
      for (const file of [...request.files].sort((a, b) => a.name.localeCompare(b.name))) {
        if (file.name === 'codec.py') continue;
        hash
          .update(file.name)
          .update(file.name === 'job.json' ? withoutParams(file.data) : file.data);
      }
      const frames = [...run.output.files].filter(([name]) => name.endsWith('.bgr')).sort();
      expect(frames.length).toBeGreaterThan(0);
      for (const [name, data] of frames) hash.update(name).update(data);
      this.decodes.push(hash.digest('hex'));
    }
    return run;
  }
  alone<T>(work: (run: SandboxRunner) => Promise<T>): Promise<T> {
    return this.inner.alone(work);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The codec with config['params'] set to `params` on both sides (what the tuned harness does). */
function withParams(code: string, params: Readonly<Record<string, number>>): string {
  const renamed = code
    .replace('def compress_video_frame(frame, config):', 'def _compress(frame, config):')
    .replace(
      'def decompress_video_frame(compressed, metadata, config):',
      'def _decompress(compressed, metadata, config):',
    );
  expect(renamed).not.toContain('def compress_video_frame');
  return `${renamed}

PARAMS = ${JSON.stringify(params)}


def compress_video_frame(frame, config):
    return _compress(frame, dict(config, params=PARAMS))


def decompress_video_frame(compressed, metadata, config):
    return _decompress(compressed, metadata, dict(config, params=PARAMS))
`;
}

function points(result: EvaluationResult): unknown {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.metrics.clips.map((clip) =>
    clip.points.map(({ quality, bitrate_kbps, psnr_y_db }) => ({
      quality,
      bitrate_kbps,
      psnr_y_db,
    })),
  );
}

describe('offline codecs with TUNABLES in the real sandbox', () => {
  let sandbox: DockerSandbox;
  let clip: Clip;
  beforeAll(async () => {
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 60_000 });
    clip = await builtinClip(6);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function run(code: string): Promise<{ decodes: string[]; result: EvaluationResult }> {
    const recorder = new RecordingSandbox(sandbox);
    const result = await new Evaluator(recorder, silentLog, 2).evaluate(Buffer.from(code), [clip], {
      qualities: QUALITIES,
    });
    // Decoder runs overlap (two at a time): their order is not part of the behaviour.
    return { decodes: [...recorder.decodes].sort(), result };
  }

  for (const [name, genome] of FIXTURES) {
    it(`${name}: the defaults write the bitstreams and frames of the rendering before tunables`, async () => {
      const before = readFileSync(`${ROOT}test/fixtures/offline-pre-tunables/${name}.py`, 'utf8');
      const now = render(genome);
      expect(now).not.toBe(before);
      const defaults = Object.fromEntries(
        offlineTunables(genome).map(({ name: key, entry }) => [key, entry.default]),
      );
      const old = await run(before);
      const absent = await run(now);
      const given = await run(withParams(now, defaults));
      // Smoke decodes plus one per quality point: the comparison covers every sweep point.
      expect(old.decodes.length).toBeGreaterThanOrEqual(QUALITIES.length);
      expect(absent.decodes).toEqual(old.decodes);
      expect(given.decodes).toEqual(old.decodes);
      expect(points(absent.result)).toEqual(points(old.result));
    }, 600_000);
  }

  it('moved params change the bitstream: a wider dead zone and a coarser chroma step cost fewer bits', async () => {
    const genome = FIXTURES[1]?.[1] as Genome;
    const code = render(genome);
    const base = await run(code);
    const moved = await run(withParams(code, { rounding: 0.2, rounding_inter: 0.12, chroma_q: 3 }));
    if (!base.result.ok || !moved.result.ok) throw new Error('expected both to pass');
    expect(new Set(moved.decodes).size).toBe(moved.decodes.length);
    for (const digest of moved.decodes) expect(base.decodes).not.toContain(digest);
    const bits = (result: EvaluationResult): number[] =>
      result.ok ? (result.metrics.clips[0]?.points ?? []).map((p) => p.bitrate_kbps) : [];
    const [baseBits, movedBits] = [bits(base.result), bits(moved.result)];
    expect(movedBits).toHaveLength(QUALITIES.length);
    movedBits.forEach((kbps, i) => expect(kbps).toBeLessThan(baseBits[i] ?? 0));
  }, 600_000);
});
