import { describe, expect, it } from 'vitest';

import type { Clip } from '../../src/evaluation/clip.js';
import {
  DEFAULT_QUALITY_FLOOR_DB,
  Evaluator,
  mapLimited,
  qualityFloorFailure,
  type ClipResult,
  type EvaluationResult,
  type RdPointMetrics,
  type ValidationFinding,
} from '../../src/evaluation/evaluator.js';
import { computeClipMetrics } from '../../src/evaluation/metrics.js';
import { createLogger } from '../../src/logger.js';
import type {
  Sandbox,
  SandboxFile,
  SandboxLimits,
  SandboxRequest,
  SandboxRun,
  SandboxRunner,
} from '../../src/sandbox/sandbox.js';
import { packTar, parseResultTar } from '../../src/sandbox/tar-io.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 20_000,
  memoryLimitMb: 512,
  cpus: 1,
  pidsLimit: 64,
  tmpfsMb: 64,
};
const IMAGE_ID = 'sha256:fakeimage';
const CODEC = Buffer.from('def compress_video_frame(frame, quality, config): ...\n');
const silent = createLogger({ level: 'silent' });

/** What job.json says, as far as the fake harness needs it (a validate job has no geometry). */
interface Job {
  readonly protocol: number;
  readonly mode: 'validate' | 'encode' | 'decode';
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly quality?: number;
  readonly frames?: number;
  /** A batched job: one entry per run (its fields over the job's), inputs under `inputs`. */
  readonly runs?: readonly (Omit<Job, 'protocol' | 'mode' | 'runs'> & { inputs: string })[];
}

interface HarnessFailure {
  readonly category: string;
  readonly message: string;
  readonly traceback?: string;
}

interface RunContext {
  readonly job: Job;
  /** Which container (sandbox run) this is, counting from 0 over every request. */
  readonly container: number;
  readonly index: number;
}

/** The codec's behaviour, as the fake harness plays it. Defaults: a lossless raw codec. */
interface FakeCodec {
  encode(frame: Buffer, context: RunContext): { compressed: Buffer; metadata: string };
  /** Null leaves the frame out of the result. */
  decode(compressed: Buffer, metadata: Buffer, context: RunContext): Buffer | null;
  report: { ok: boolean; findings: unknown[] };
  /** A failure for this container's run, recorded by the harness (then no outputs). */
  failure(job: Job, container: number): HarnessFailure | null;
  /** What the orchestrator observed of the container, e.g. a kill at the deadline. */
  observed(job: Job, container: number): Partial<SandboxRun>;
  wallS: Readonly<Record<Job['mode'], number>>;
  log: string;
}

const lossless: FakeCodec = {
  encode: (frame, { job }) => ({
    compressed: Buffer.from(frame),
    metadata: JSON.stringify({ quality: job.quality }),
  }),
  decode: (compressed) => Buffer.from(compressed),
  report: { ok: true, findings: [] },
  failure: () => null,
  observed: () => ({}),
  wallS: { validate: 0.1, encode: 0.5, decode: 0.25 },
  log: '',
};

interface Recorded {
  readonly job: Job;
  /** The container's runs: the job itself, or one merged job per entry of a batch. */
  readonly runs: readonly Job[];
  readonly names: readonly string[];
  readonly request: SandboxRequest;
}

/**
 * A Sandbox that plays the harness in-process, one job per container as the real one does: it
 * reads job.json and the inputs from the request and answers with a result tar (packTar)
 * holding one run under run0/, parsed the way DockerSandbox parses it.
 */
class FakeHarnessSandbox implements Sandbox {
  readonly imageId = IMAGE_ID;
  readonly limits = LIMITS;
  readonly requests: Recorded[] = [];
  closed = 0;
  /** A clock only sandbox runs move (100 ms each): evaluation time is container time here. */
  private clockMs = 10_000;
  readonly now = (): number => this.clockMs;
  private readonly codec: FakeCodec;

  constructor(codec: Partial<FakeCodec> = {}) {
    this.codec = { ...lossless, ...codec };
  }

  /** Every run of every container, in order (a batched container contributes several). */
  jobs(mode?: Job['mode']): Job[] {
    return this.requests
      .flatMap((r) => r.runs)
      .filter((job) => mode === undefined || job.mode === mode);
  }

  async run(request: SandboxRequest): Promise<SandboxRun> {
    // Numbered before the first await, so two runs started together get distinct numbers.
    const container = this.requests.length;
    this.clockMs += 100;
    const files = new Map(request.files.map((file: SandboxFile) => [file.name, file.data]));
    const job = JSON.parse(files.get('job.json')?.toString('utf8') ?? 'null') as Job;
    const runs: Array<{ job: Job; inputs: string }> =
      job.runs === undefined
        ? [{ job, inputs: '' }]
        : job.runs.map(({ inputs, ...fields }) => ({
            job: { protocol: job.protocol, mode: job.mode, ...fields },
            inputs,
          }));
    this.requests.push({
      job,
      runs: runs.map((r) => r.job),
      names: request.files.map((file) => file.name),
      request,
    });
    if (job.protocol !== 1) throw new Error(`fake: protocol ${job.protocol}`);
    if ('repeat' in job) throw new Error('fake: the harness runs each job once; no repeat');
    const reported = [];
    const entries: SandboxFile[] = [];
    for (const [number, { job: runJob, inputs }] of runs.entries()) {
      const failure = this.codec.failure(runJob, container);
      reported.push({
        failure,
        wall_s: this.codec.wallS[runJob.mode],
        log: this.codec.log,
        log_truncated: false,
      });
      if (failure !== null) break; // the harness stops a batch at its first failing run
      const own = new Map(
        [...files]
          .filter(([name]) => name.startsWith(inputs))
          .map(([name, data]) => [name.slice(inputs.length), data]),
      );
      entries.push(...this.outputs(runJob, own, container, number));
    }
    const result = { protocol: 1, mode: job.mode, python: '3.11.2', runs: reported };
    const tar = await packTar([
      { name: 'result.json', data: Buffer.from(JSON.stringify(result)) },
      ...entries,
    ]);
    return {
      exitCode: 0,
      oomKilled: false,
      timedOut: false,
      outputOverflow: false,
      output: await parseResultTar(tar, {
        maxEntries: 100_000,
        maxTotalBytes: request.maxOutputBytes,
      }),
      stderr: '',
      // The orchestrator's own measurement: the codec's time plus 20 ms of hand-over.
      wallMs: reported.reduce((sum, entry) => sum + entry.wall_s * 1000, 0) + 20,
      acquireMs: 0,
      packMs: 0,
      parseMs: 0,
      imageId: IMAGE_ID,
      ...this.codec.observed(job, container),
    };
  }

  private outputs(
    job: Job,
    files: ReadonlyMap<string, Buffer>,
    container: number,
    run: number,
  ): SandboxFile[] {
    const stem = (index: number): string => `run${run}/${String(index).padStart(6, '0')}`;
    if (job.mode === 'validate') {
      return [{ name: 'run0/report.json', data: Buffer.from(JSON.stringify(this.codec.report)) }];
    }
    const count = job.frames ?? 0;
    const frameBytes = (job.width ?? 0) * (job.height ?? 0) * 3;
    const out: SandboxFile[] = [];
    if (job.mode === 'encode') {
      const raw = files.get('frames.bgr') ?? Buffer.alloc(0);
      if (raw.length !== frameBytes * count) throw new Error('fake: frames.bgr size is wrong');
      for (let index = 0; index < count; index++) {
        const frame = raw.subarray(index * frameBytes, (index + 1) * frameBytes);
        const { compressed, metadata } = this.codec.encode(frame, { job, container, index });
        out.push(
          { name: `${stem(index)}.bin`, data: compressed },
          { name: `${stem(index)}.json`, data: Buffer.from(metadata) },
        );
      }
      return out;
    }
    for (let index = 0; index < count; index++) {
      const name = `enc/${String(index).padStart(6, '0')}`;
      const compressed = files.get(`${name}.bin`);
      const metadata = files.get(`${name}.json`);
      if (compressed === undefined || metadata === undefined) throw new Error('fake: enc missing');
      const frame = this.codec.decode(compressed, metadata, { job, container, index });
      if (frame !== null) {
        const at = `run${run}/frame${String(index).padStart(6, '0')}.bgr`;
        out.push({ name: at, data: frame });
      }
    }
    return out;
  }

  /** Runs made through `alone`, and whether any plain run overlapped one. */
  aloneRuns = 0;
  private inAlone = false;

  async alone<T>(work: (run: SandboxRunner) => Promise<T>): Promise<T> {
    this.inAlone = true;
    try {
      return await work((request) => {
        this.aloneRuns += 1;
        return this.run(request);
      });
    } finally {
      this.inAlone = false;
    }
  }

  get isAlone(): boolean {
    return this.inAlone;
  }

  close(): Promise<void> {
    this.closed += 1;
    return Promise.resolve();
  }
}

/** Smooth-ish deterministic frames, distinct per clip and index. */
function makeClip(name: string, width: number, height: number, frames: number, fps: number): Clip {
  return {
    name,
    width,
    height,
    fps,
    frames: Array.from({ length: frames }, (_, index) => {
      const frame = Buffer.alloc(width * height * 3);
      for (let i = 0; i < frame.length; i++) frame[i] = (i * 3 + index * 17 + name.length) % 256;
      return frame;
    }),
    source: `/clips/${name}.y4m`,
  };
}

/** 20x18, 3 frames at 25 fps: the smoke clip is the same size with 2 frames. */
const CLIP = makeClip('clip', 20, 18, 3, 25);
const QUALITIES = [0.25, 0.5, 0.75];

function failureOf(result: EvaluationResult): Extract<EvaluationResult, { ok: false }> {
  if (result.ok) throw new Error('expected the evaluation to fail');
  return result;
}

function successOf(result: EvaluationResult): Extract<EvaluationResult, { ok: true }> {
  if (!result.ok) {
    throw new Error(
      `expected success, got ${result.stage}/${result.failure.category}: ${result.failure.message}`,
    );
  }
  return result;
}

function allowedDecoderFile(name: string): boolean {
  return name === 'job.json' || name === 'codec.py' || /^enc\/\d{6}\.(bin|json)$/.test(name);
}

describe('Evaluator with a perfect codec', () => {
  it('passes every stage and measures the bytes it was given', async () => {
    const sandbox = new FakeHarnessSandbox();
    const evaluator = new Evaluator(sandbox, silent, 1, sandbox.now);
    const result = successOf(await evaluator.evaluate(CODEC, [CLIP], { qualities: QUALITIES }));

    expect(result.stage).toBe('done');
    expect(result.failure).toBeNull();
    expect(result.imageId).toBe(IMAGE_ID);
    // validate + smoke (2 encodes, 1 decode) + 1 encoder container for the clip's 3 qualities
    // + 3 decoder containers (one per quality): 8 containers of 100 ms.
    expect(sandbox.requests).toHaveLength(8);
    expect(result.wallMs).toBe(800);

    const [clipResult] = result.metrics.clips;
    expect(result.metrics.clips).toHaveLength(1);
    expect(clipResult).toMatchObject({
      clip: 'clip',
      source: '/clips/clip.y4m',
      width: 20,
      height: 18,
      frames: 3,
      fps: 25,
    });
    expect(clipResult?.points.map((point) => point.quality)).toEqual(QUALITIES);
    // Counted bytes per frame: 20*18*3 raw + the metadata JSON, e.g. '{"quality":0.25}' (16).
    const metaBytes = QUALITIES.map((q) => JSON.stringify({ quality: q }).length);
    expect(metaBytes).toEqual([16, 15, 16]);
    clipResult?.points.forEach((point, i) => {
      const bytes = 3 * (1080 + (metaBytes[i] ?? 0));
      expect(point.total_bytes).toBe(bytes);
      // 8 * bytes / (frames / fps) / 1000
      expect(point.bitrate_kbps).toBeCloseTo((8 * bytes) / (3 / 25) / 1000, 9);
      expect(point.bits_per_pixel).toBeCloseTo((8 * bytes) / (3 * 20 * 18), 12);
      expect(point.psnr_y_db).toBe(100);
      expect(point.worst_psnr_y_db).toBe(100);
      expect(point.psnr_yuv_db).toBe(100);
      expect(point.ssim_y).toBeCloseTo(1, 12);
      expect(point.per_frame_psnr_y_db).toEqual([100, 100, 100]);
      expect('per_frame_ssim_y' in point).toBe(false);
      // Speed is the orchestrator's measurement of each container (the harness said 0.5 s per
      // encode and 0.25 s per decode): the encoder container's 1.52 s split evenly, as its
      // three runs reported equal times.
      expect(point.encode_fps).toBeCloseTo(3 / (1.52 / 3), 12);
      expect(point.decode_fps).toBeCloseTo(3 / 0.27, 12);
    });
    expect(clipResult?.points[0]?.bitrate_kbps).toBeCloseTo(219.2, 9);
    expect(clipResult?.points[1]?.bitrate_kbps).toBeCloseTo(219, 9);

    expect(result.metrics.points.map((point) => point.quality)).toEqual(QUALITIES);
    expect(result.metrics.points[1]?.bitrate_kbps).toBeCloseTo(219, 9);
    expect(result.metrics.points[1]?.psnr_y_db).toBe(100);
  });

  it('batches the sweep: one encoder container per clip, one decoder container per quality', async () => {
    const sandbox = new FakeHarnessSandbox();
    const clips = [CLIP, makeClip('other', 16, 12, 2, 30)];
    successOf(
      await new Evaluator(sandbox, silent, 2).evaluate(CODEC, clips, { qualities: QUALITIES }),
    );
    const containers = sandbox.requests.map((r) =>
      r.runs.map((job) => `${job.mode}@${job.quality ?? '-'}/${job.width ?? '-'}`).join(' '),
    );
    // validate 1 + smoke 3 + 2 encoders + 3 decoders, instead of 1 + 3 + 2 × 3 × 2.
    expect(containers).toEqual([
      'validate@-/-',
      'encode@0.5/20',
      'encode@0.5/20',
      'decode@0.5/20',
      'encode@0.25/20 encode@0.5/20 encode@0.75/20',
      'encode@0.25/16 encode@0.5/16 encode@0.75/16',
      'decode@0.25/20 decode@0.25/16',
      'decode@0.5/20 decode@0.5/16',
      'decode@0.75/20 decode@0.75/16',
    ]);
    // Two qualities of one clip never share a decoder container.
    for (const request of sandbox.requests.filter((r) => r.job.mode === 'decode')) {
      expect(new Set(request.runs.map((job) => job.quality)).size).toBe(1);
    }
    // Each batched container's deadline is the per-run deadline times its runs.
    const encoder = sandbox.requests[4]?.request;
    expect(encoder?.timeoutMs).toBe(3 * LIMITS.timeoutMs);
  });

  it('runs validate, smoke (encode twice, decode) and, per point, one encode+decode container when batching is off', async () => {
    const sandbox = new FakeHarnessSandbox();
    await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], {
      qualities: QUALITIES,
      batching: false,
    });
    expect(sandbox.requests).toHaveLength(10);
    expect(
      sandbox.jobs().map((job) => [job.mode, job.quality ?? null, job.frames ?? null]),
    ).toEqual([
      ['validate', null, null],
      ['encode', 0.5, 2],
      ['encode', 0.5, 2],
      ['decode', 0.5, 2],
      ['encode', 0.25, 3],
      ['decode', 0.25, 3],
      ['encode', 0.5, 3],
      ['decode', 0.5, 3],
      ['encode', 0.75, 3],
      ['decode', 0.75, 3],
    ]);
    expect(sandbox.closed).toBe(0);
  });

  it('never gives a decoder the original frames', async () => {
    const sandbox = new FakeHarnessSandbox();
    successOf(
      await new Evaluator(sandbox, silent, 2).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    const decodes = sandbox.requests.filter((r) => r.job.mode === 'decode');
    expect(decodes).toHaveLength(4);
    for (const decode of decodes) {
      expect(decode.names).not.toContain('frames.bgr');
      expect(decode.names.filter((name) => !allowedDecoderFile(name))).toEqual([]);
    }
    const encodes = sandbox.requests.filter((r) => r.job.mode === 'encode');
    for (const encode of encodes) expect(encode.names).toContain('frames.bgr');
  });

  it('averages the summary over clips', async () => {
    const other = makeClip('other', 16, 16, 2, 10);
    const sandbox = new FakeHarnessSandbox();
    const result = successOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP, other], { qualities: [0.5] }),
    );
    const clipKbps = (8 * 3 * (1080 + 15)) / (3 / 25) / 1000;
    const otherKbps = (8 * 2 * (768 + 15)) / (2 / 10) / 1000;
    expect(result.metrics.clips.map((clip) => clip.points[0]?.bitrate_kbps)).toEqual([
      expect.closeTo(clipKbps, 9),
      expect.closeTo(otherKbps, 9),
    ]);
    expect(result.metrics.points).toHaveLength(1);
    expect(result.metrics.points[0]?.bitrate_kbps).toBeCloseTo((clipKbps + otherKbps) / 2, 9);
    // The smoke stage uses the first clip only.
    expect(sandbox.jobs('encode')[0]).toMatchObject({ width: 20, height: 18, frames: 2 });
  });

  it('makes no validate request when validation is skipped', async () => {
    const sandbox = new FakeHarnessSandbox({
      report: { ok: false, findings: [{ category: 'syntax_errors', message: 'x', line: 1 }] },
    });
    const result = await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], {
      qualities: [0.5],
      skipValidation: true,
    });
    expect(result.ok).toBe(true);
    expect(sandbox.jobs('validate')).toEqual([]);
    expect(sandbox.jobs()[0]?.mode).toBe('encode');
  });
});

describe('Evaluator failures', () => {
  it('stops at validation with the first finding, keeping every finding', async () => {
    const findings = [
      {
        category: 'forbidden_imports',
        message: 'import of os is not allowed',
        cause: { key: 'module:os', subject: { module: 'os', path: 'os' } },
        line: 3,
        excerpt: 'import os',
      },
      {
        category: 'forbidden_calls',
        message: 'eval is not allowed',
        cause: { key: 'call:eval', subject: { name: 'eval' } },
        line: 9,
        excerpt: 'eval(x)',
      },
    ];
    const sandbox = new FakeHarnessSandbox({ report: { ok: false, findings } });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('validate');
    expect(result.failure).toEqual({
      category: 'forbidden_imports',
      message: 'import of os is not allowed',
      cause: { key: 'module:os', subject: { module: 'os', path: 'os' } },
      line: 3,
      excerpt: 'import os',
    });
    expect(result.findings).toEqual<ValidationFinding[]>(findings);
    expect(result.metrics).toBeNull();
    expect(result.imageId).toBe(IMAGE_ID);
    expect(sandbox.jobs().map((job) => job.mode)).toEqual(['validate']);
  });

  it('fills in a finding without line or excerpt', async () => {
    const sandbox = new FakeHarnessSandbox({
      report: { ok: false, findings: [{ category: 'missing_function', message: 'no decoder' }] },
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.failure).toEqual({
      category: 'missing_function',
      message: 'no decoder',
      cause: null,
    });
    expect(result.findings).toEqual([
      { category: 'missing_function', message: 'no decoder', cause: null, line: null, excerpt: '' },
    ]);
  });

  it('calls a finding outside the validator vocabulary other', async () => {
    const sandbox = new FakeHarnessSandbox({
      report: { ok: false, findings: [{ category: 'timeouts', message: 'odd', line: 2 }] },
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('validate');
    expect(result.failure.category).toBe('other');
    expect(result.failure.line).toBe(2);
  });

  it('calls a validator run without a report a sandbox error', async () => {
    class NoReport extends FakeHarnessSandbox {
      override async run(request: SandboxRequest): Promise<SandboxRun> {
        const run = await super.run(request);
        if (!run.output.ok) return run;
        const files = new Map(run.output.files);
        files.delete('run0/report.json');
        return { ...run, output: { ok: true, files } };
      }
    }
    const result = failureOf(
      await new Evaluator(new NoReport(), silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('validate');
    expect(result.failure.category).toBe('sandbox_error');
  });

  it.each(['crashes', 'runtime_errors', 'output_flood', 'return_format_error', 'other'])(
    'blames the source when the validator run fails with %s',
    async (category) => {
      const sandbox = new FakeHarnessSandbox({
        failure: (job) =>
          job.mode === 'validate' ? { category, message: 'parser blew up' } : null,
      });
      const result = failureOf(
        await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
      );
      expect(result.stage).toBe('validate');
      expect(result.failure.category).toBe('syntax_errors');
      expect(result.failure.message).toBe('validation failed: parser blew up');
      expect(sandbox.jobs().map((job) => job.mode)).toEqual(['validate']);
    },
  );

  it('computes speed from its own measurement: a container claiming to be fast cannot raise an fps', async () => {
    const honest = new FakeHarnessSandbox({
      wallS: { validate: 0.1, encode: 0.5, decode: 0.25 },
      observed: (job) => ({ wallMs: job.mode === 'encode' ? 500 : 250 }),
    });
    const forged = new FakeHarnessSandbox({
      wallS: { validate: 1e-9, encode: 1e-9, decode: 1e-9 },
      observed: (job) => ({ wallMs: job.mode === 'encode' ? 500 : 250 }),
    });
    const [a, b] = await Promise.all(
      [honest, forged].map(async (sandbox) =>
        successOf(
          await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
        ),
      ),
    );
    const frames = CLIP.frames.length;
    for (const result of [a, b]) {
      expect(result?.metrics.points[0]?.encode_fps).toBeCloseTo(frames / 0.5, 9);
      expect(result?.metrics.points[0]?.decode_fps).toBeCloseTo(frames / 0.25, 9);
    }
    expect(b?.timings.codec_ms).toBeLessThan(1e-3);
  });

  it("never takes a container's word for an infrastructure failure (issue 11)", async () => {
    const sandbox = new FakeHarnessSandbox({
      failure: (job) =>
        job.mode === 'encode' ? { category: 'sandbox_error', message: 'not my fault' } : null,
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('crashes');
    expect(result.failure.message).toContain('only the orchestrator decides');
    expect(result.failure.message).toContain('not my fault');
  });

  it.each(['timeouts', 'memory_exceeded'])(
    'keeps %s when the validator run fails with it',
    async (category) => {
      const sandbox = new FakeHarnessSandbox({
        failure: (job) => (job.mode === 'validate' ? { category, message: 'no luck' } : null),
      });
      const result = failureOf(
        await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
      );
      expect(result.stage).toBe('validate');
      expect(result.failure.category).toBe(category);
      expect(result.failure.message).toBe('validation failed: no luck');
      expect(sandbox.jobs().map((job) => job.mode)).toEqual(['validate']);
    },
  );

  it('keeps the category of a validator container the orchestrator killed', async () => {
    const killed = new FakeHarnessSandbox({
      observed: (job) => (job.mode === 'validate' ? { timedOut: true } : {}),
    });
    const timedOut = failureOf(
      await new Evaluator(killed, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(timedOut.failure.category).toBe('timeouts');
    expect(timedOut.failure.message).toMatch(/^validation failed: .*deadline of 20 s/);

    const oom = new FakeHarnessSandbox({
      observed: (job) =>
        job.mode === 'validate'
          ? { oomKilled: true, exitCode: 137, output: { ok: true, files: new Map() } }
          : {},
    });
    const outOfMemory = failureOf(
      await new Evaluator(oom, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(outOfMemory.failure.category).toBe('memory_exceeded');
  });

  it('calls a refusal without findings a sandbox error, not the code’s fault', async () => {
    const sandbox = new FakeHarnessSandbox({ report: { ok: false, findings: [] } });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('validate');
    expect(result.failure.category).toBe('sandbox_error');
    expect(result.failure.message).toContain('without saying why');
    expect(sandbox.jobs().map((job) => job.mode)).toEqual(['validate']);
  });

  it('catches an encoder whose bytes depend on the container it runs in', async () => {
    // Deterministic within one container (as a replay from /tmp would be), different across
    // two: only two separate sandbox runs tell the difference.
    const sandbox = new FakeHarnessSandbox({
      encode: (frame, { job, container, index }) => ({
        compressed: index === 1 ? Buffer.concat([frame, Buffer.from([container])]) : frame,
        metadata: JSON.stringify({ quality: job.quality }),
      }),
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('nondeterministic');
    expect(result.failure.message).toContain('different bytes at frame 1');
    expect(sandbox.jobs('encode')).toHaveLength(2);
    expect(sandbox.jobs('decode')).toEqual([]);
  });

  it('catches metadata that differs between the two smoke encodes', async () => {
    const sandbox = new FakeHarnessSandbox({
      encode: (frame, { container }) => ({
        compressed: frame,
        metadata: JSON.stringify({ container }),
      }),
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('nondeterministic');
    expect(result.failure.message).toContain('at frame 0');
  });

  it('reports a failure of the second smoke encode at the smoke stage', async () => {
    const sandbox = new FakeHarnessSandbox({
      // Containers: 0 validate, 1 and 2 the smoke encodes.
      failure: (job, container) =>
        job.mode === 'encode' && container === 2
          ? { category: 'runtime_errors', message: "KeyError: 'state'" }
          : null,
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('runtime_errors');
    expect(sandbox.jobs('decode')).toEqual([]);
  });

  it('calls a decoded frame of the wrong size a decode mismatch', async () => {
    const sandbox = new FakeHarnessSandbox({
      decode: (compressed, _metadata, { index }) =>
        index === 1 ? compressed.subarray(0, compressed.length - 3) : Buffer.from(compressed),
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('decode_mismatch');
    expect(result.failure.message).toContain('frame 1 with the wrong size');
    expect(result.failure.message).toContain('expected 2 frames of 18x20x3 uint8');
  });

  it('calls missing decoded frames a decode mismatch', async () => {
    const sandbox = new FakeHarnessSandbox({
      decode: (compressed, _metadata, { index }) => (index === 0 ? Buffer.from(compressed) : null),
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.failure.category).toBe('decode_mismatch');
    expect(result.failure.message).toContain('too few frames');
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"q"'],
    ['null', 'null'],
    ['not JSON', '{quality: 1}'],
  ])('calls metadata that is %s a return format error', async (_what, metadata) => {
    const sandbox = new FakeHarnessSandbox({
      encode: (frame) => ({ compressed: frame, metadata }),
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('return_format_error');
    expect(result.failure.message).toBe('metadata of frame 0 is not a JSON object');
    expect(sandbox.jobs('decode')).toEqual([]);
  });

  it('stops the sweep at the first failing point and starts nothing after it', async () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/opt/codec-lab/harness.py", line 160, in run_encode',
      '  File "codec.py", line 7, in compress_video_frame',
      'ZeroDivisionError: division by zero',
    ].join('\n');
    const sandbox = new FakeHarnessSandbox({
      // The smoke encode (2 frames) at 0.5 passes; the sweep's full clip at 0.5 fails.
      failure: (job) =>
        job.mode === 'encode' && job.quality === 0.5 && job.frames === 3
          ? {
              category: 'runtime_errors',
              message: 'ZeroDivisionError: division by zero',
              cause: {
                key: 'exception:ZeroDivisionError',
                subject: { exception: 'ZeroDivisionError' },
              },
              traceback,
            }
          : null,
      log: 'codec printed this',
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('sweep');
    // Attributed to the run it happened in, inside the clip's encoder container.
    expect(result.failure).toEqual({
      category: 'runtime_errors',
      message: 'ZeroDivisionError: division by zero',
      cause: { key: 'exception:ZeroDivisionError', subject: { exception: 'ZeroDivisionError' } },
      traceback,
      line: 7,
      point: { clip: 'clip', quality: 0.5 },
    });
    expect(result.log).toBe('codec printed this');
    expect(result.metrics).toBeNull();
    expect(
      sandbox.requests.map((r) =>
        r.runs.map((job) => `${job.mode}@${job.quality ?? '-'}/${job.frames ?? '-'}`).join(' '),
      ),
    ).toEqual([
      'validate@-/-',
      'encode@0.5/2',
      'encode@0.5/2',
      'decode@0.5/2',
      'encode@0.25/3 encode@0.5/3 encode@0.75/3',
    ]);
  });

  it('per point, stops the sweep at the first failing point and starts nothing after it', async () => {
    const sandbox = new FakeHarnessSandbox({
      failure: (job) =>
        job.mode === 'encode' && job.quality === 0.5 && job.frames === 3
          ? { category: 'runtime_errors', message: 'ZeroDivisionError: division by zero' }
          : null,
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], {
        qualities: QUALITIES,
        batching: false,
      }),
    );
    expect(result.failure.point).toEqual({ clip: 'clip', quality: 0.5 });
    expect(
      sandbox.jobs().map((job) => `${job.mode}@${job.quality ?? '-'}/${job.frames ?? '-'}`),
    ).toEqual([
      'validate@-/-',
      'encode@0.5/2',
      'encode@0.5/2',
      'decode@0.5/2',
      'encode@0.25/3',
      'decode@0.25/3',
      'encode@0.5/3',
    ]);
  });

  it('attributes a decoder failure to the clip it happened on, in a per-quality container', async () => {
    const sandbox = new FakeHarnessSandbox({
      failure: (job) =>
        job.mode === 'decode' && job.width === 16 && job.quality === 0.75
          ? { category: 'runtime_errors', message: 'IndexError: list index out of range' }
          : null,
    });
    const clips = [CLIP, makeClip('other', 16, 12, 2, 30)];
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, clips, { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('sweep');
    expect(result.failure.point).toEqual({ clip: 'other', quality: 0.75 });
  });

  it("splits a batched container's measured time by the runs' reported shares, never beyond it", async () => {
    // The harness claims 0.1 s for each encode; the orchestrator measured the container.
    const sandbox = new FakeHarnessSandbox({
      wallS: { validate: 0.1, encode: 0.1, decode: 0.25 },
      observed: (job) => (job.mode === 'encode' && job.runs ? { wallMs: 6_000 } : {}),
    });
    const result = successOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    for (const point of result.metrics.clips[0]?.points ?? []) {
      expect(point.encode_fps).toBeCloseTo(3 / 2, 12);
    }
  });

  it('reports a failing smoke run at the smoke stage', async () => {
    const sandbox = new FakeHarnessSandbox({
      failure: (job) =>
        job.mode === 'decode'
          ? { category: 'crashes', message: 'the codec died on signal SIGSEGV' }
          : null,
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('crashes');
    expect(sandbox.jobs().map((job) => job.mode)).toEqual([
      'validate',
      'encode',
      'encode',
      'decode',
    ]);
  });

  it('refuses to evaluate without clips or qualities', async () => {
    const evaluator = new Evaluator(new FakeHarnessSandbox(), silent, 1);
    await expect(evaluator.evaluate(CODEC, [], { qualities: [0.5] })).rejects.toThrow(
      'at least one clip',
    );
    await expect(evaluator.evaluate(CODEC, [CLIP], { qualities: [] })).rejects.toThrow(
      'at least one quality',
    );
  });
});

describe('Evaluator smoke determinism', () => {
  it('encodes the smoke clip in exactly two separate sandbox runs, then decodes once', async () => {
    const sandbox = new FakeHarnessSandbox();
    successOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], {
        qualities: [0.5],
        skipValidation: true,
      }),
    );
    // The smoke clip has 2 frames, the sweep's clip 3.
    const smoke = sandbox.requests.filter((r) => r.job.frames === 2);
    expect(smoke.map((r) => r.job.mode)).toEqual(['encode', 'encode', 'decode']);
    const [first, second] = smoke;
    // Two requests, two containers, the same job: any difference in output is the codec's.
    expect(first?.request).not.toBe(second?.request);
    const bytes = (r: Recorded | undefined): string[] =>
      r?.request.files.map((file) => `${file.name}:${file.data.toString('hex')}`) ?? [];
    expect(bytes(second)).toEqual(bytes(first));
    expect(first?.names).toEqual(['job.json', 'codec.py', 'frames.bgr']);
  });

  it('passes an encoder that is deterministic across containers', async () => {
    // Its bytes depend on the quality and the frame, never on the container.
    const sandbox = new FakeHarnessSandbox({
      encode: (frame, { job, index }) => ({
        compressed: Buffer.concat([frame, Buffer.from([index])]),
        metadata: JSON.stringify({ quality: job.quality, index }),
      }),
      decode: (compressed) => Buffer.from(compressed.subarray(0, compressed.length - 1)),
    });
    const result = await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], {
      qualities: [0.5],
    });
    expect(successOf(result).metrics.clips[0]?.points[0]?.psnr_y_db).toBe(100);
  });
});

/** The clip with every byte in 20..219, so a decoder may add 8 without clipping. */
function midtones(clip: Clip): Clip {
  return {
    ...clip,
    frames: clip.frames.map((frame) => Buffer.from(frame.map((value) => 20 + (value % 200)))),
  };
}

/** Every decoded byte 8 too high: luma off by 8 everywhere, MSE 64. */
const PSNR_OFF_BY_8 = 10 * Math.log10((255 * 255) / 64);
const offBy8 = (compressed: Buffer): Buffer => Buffer.from(compressed.map((value) => value + 8));
const grey = (compressed: Buffer): Buffer => Buffer.alloc(compressed.length, 128);

function greyPsnr(clip: Clip): number {
  return computeClipMetrics({
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    original: clip.frames,
    decoded: clip.frames.map((frame) => grey(frame)),
    frameBytes: clip.frames.map(() => 1),
  }).psnr_y_db;
}

describe('Evaluator isolation check (issue 11)', () => {
  it('re-runs every measured decode alone, from the same bytes, and passes an honest codec', async () => {
    const sandbox = new FakeHarnessSandbox();
    const evaluator = new Evaluator(sandbox, silent, 2);
    const dev = successOf(await evaluator.evaluate(CODEC, [CLIP], { qualities: QUALITIES }));
    const other = makeClip('holdout', 20, 18, 2, 25);
    const holdout = successOf(await evaluator.evaluate(CODEC, [other], { qualities: QUALITIES }));
    const before = sandbox.requests.length;
    const outcome = await evaluator.checkIsolation(CODEC, [dev, holdout]);
    expect(outcome).toMatchObject({ ok: true, decodes: 2 * QUALITIES.length });
    const replayed = sandbox.requests.slice(before);
    expect(sandbox.aloneRuns).toBe(2 * QUALITIES.length);
    expect(replayed.map((r) => r.job.mode)).toEqual(
      Array<string>(2 * QUALITIES.length).fill('decode'),
    );
    // The replayed decodes got exactly the bitstreams the sweep's decoders got.
    for (const request of replayed) {
      const job = request.job;
      const original = sandbox.requests
        .slice(0, before)
        .filter(
          (r) =>
            r.job.mode === 'decode' &&
            r.job.quality === job.quality &&
            r.job.frames === job.frames &&
            r.job.width === job.width,
        )
        .at(-1);
      expect(request.request.files.map((f) => f.data)).toEqual(
        original?.request.files.map((f) => f.data),
      );
    }
  });

  it('refuses, as nondeterministic, a decoder whose output depended on another sandbox running', async () => {
    // A covert channel, played by the fake: the decoder gets the real frame from a concurrently
    // running encoder (here: whenever it does not run alone) and only 2 bytes of counted bits.
    const frames = new Map<string, Buffer>();
    const sandbox: FakeHarnessSandbox = new FakeHarnessSandbox({
      encode: (frame, { job, index }) => {
        frames.set(`${job.quality}:${index}`, Buffer.from(frame));
        return { compressed: Buffer.from([1, 2]), metadata: '{}' };
      },
      decode: (_compressed, _metadata, { job, index }) =>
        sandbox.isAlone
          ? Buffer.alloc((job.width ?? 0) * (job.height ?? 0) * 3)
          : (frames.get(`${job.quality}:${index}`) ?? null),
    });
    const evaluator = new Evaluator(sandbox, silent, 2);
    const dev = successOf(await evaluator.evaluate(CODEC, [CLIP], { qualities: QUALITIES }));
    expect(dev.metrics.points[0]?.psnr_y_db).toBe(100);
    const outcome = await evaluator.checkIsolation(CODEC, [dev]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.category).toBe('nondeterministic');
    expect(outcome.failure.message).toMatch(
      /decoding clip clip at quality 0\.25 again, with no other sandbox on the host running, returned different frames: its output depended on something other than its counted bytes/,
    );
    expect(outcome.decodes).toBe(1);
  });

  it('re-runs each per-quality decoder container alone, as it ran, and checks every point', async () => {
    const frames = new Map<string, Buffer>();
    const sandbox: FakeHarnessSandbox = new FakeHarnessSandbox({
      encode: (frame, { job, index }) => {
        frames.set(`${job.width}:${job.quality}:${index}`, Buffer.from(frame));
        return { compressed: Buffer.from(frame), metadata: '{}' };
      },
      // Only the second clip's decoder cheats (a channel that closes when it runs alone).
      decode: (compressed, _metadata, { job, index }) =>
        job.width === 16 && sandbox.isAlone
          ? Buffer.alloc(16 * 12 * 3)
          : (frames.get(`${job.width}:${job.quality}:${index}`) ?? Buffer.from(compressed)),
    });
    const evaluator = new Evaluator(sandbox, silent, 2);
    const clips = [CLIP, makeClip('other', 16, 12, 2, 30)];
    const dev = successOf(await evaluator.evaluate(CODEC, clips, { qualities: QUALITIES }));
    const before = sandbox.requests.length;
    const outcome = await evaluator.checkIsolation(CODEC, [dev]);
    const replayed = sandbox.requests.slice(before);
    // The first decoder container (quality 0.25, both clips) replays as one batch.
    expect(replayed).toHaveLength(1);
    expect(replayed[0]?.runs.map((job) => job.width)).toEqual([20, 16]);
    const original = sandbox.requests.find(
      (r) => r.job.mode === 'decode' && r.runs.length === 2 && r.runs[0]?.quality === 0.25,
    );
    expect(replayed[0]?.request.files.map((f) => f.data)).toEqual(
      original?.request.files.map((f) => f.data),
    );
    expect(outcome).toMatchObject({ ok: false, decodes: 2 });
    if (outcome.ok) return;
    expect(outcome.failure.point).toEqual({ clip: 'other', quality: 0.25 });

    const honest = new FakeHarnessSandbox();
    const fair = new Evaluator(honest, silent, 2);
    const result = successOf(await fair.evaluate(CODEC, clips, { qualities: QUALITIES }));
    expect(await fair.checkIsolation(CODEC, [result])).toMatchObject({
      ok: true,
      decodes: clips.length * QUALITIES.length,
    });
    expect(honest.aloneRuns).toBe(QUALITIES.length);
  });

  it('takes only successful evaluations it made itself', async () => {
    const evaluator = new Evaluator(new FakeHarnessSandbox(), silent, 1);
    const foreign = successOf(
      await new Evaluator(new FakeHarnessSandbox(), silent, 1).evaluate(CODEC, [CLIP], {
        qualities: [0.5],
      }),
    );
    await expect(evaluator.checkIsolation(CODEC, [foreign])).rejects.toThrow(
      /made by this evaluator/,
    );
  });
});

describe('Evaluator quality floor', () => {
  it('defaults to 20 dB', () => {
    expect(DEFAULT_QUALITY_FLOOR_DB).toBe(20);
  });

  it('fails a codec that decodes grey frames at the sweep stage, after the whole sweep', async () => {
    const sandbox = new FakeHarnessSandbox({ decode: grey });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [CLIP], { qualities: QUALITIES }),
    );
    expect(result.stage).toBe('sweep');
    expect(result.failure.category).toBe('quality_floor');
    expect(result.metrics).toBeNull();
    const expected = greyPsnr(CLIP);
    expect(expected).toBeLessThan(20);
    expect(result.failure.message).toContain('on clip clip ');
    expect(result.failure.message).toContain('(quality 0.75)');
    expect(result.failure.message).toContain(`only ${expected.toFixed(2)} dB`);
    expect(result.failure.message).toContain('the floor is 20 dB');
    // Every point was measured before the floor was applied.
    expect(sandbox.jobs('decode').filter((job) => job.frames === 3)).toHaveLength(3);
  });

  it('passes a codec at 30 dB under the default floor', async () => {
    const clip = midtones(CLIP);
    const sandbox = new FakeHarnessSandbox({ decode: offBy8 });
    const result = successOf(
      await new Evaluator(sandbox, silent, 1).evaluate(CODEC, [clip], { qualities: QUALITIES }),
    );
    for (const point of result.metrics.clips[0]?.points ?? []) {
      expect(point.psnr_y_db).toBeCloseTo(PSNR_OFF_BY_8, 6);
    }
    expect(result.metrics.clips[0]?.points).toHaveLength(3);
    expect(PSNR_OFF_BY_8).toBeCloseTo(30.07, 2);
  });

  it('applies a custom floor', async () => {
    const clip = midtones(CLIP);
    const evaluate = (qualityFloorDb: number): Promise<EvaluationResult> =>
      new Evaluator(new FakeHarnessSandbox({ decode: offBy8 }), silent, 1).evaluate(CODEC, [clip], {
        qualities: QUALITIES,
        qualityFloorDb,
      });
    const strict = failureOf(await evaluate(31));
    expect(strict.stage).toBe('sweep');
    expect(strict.failure.category).toBe('quality_floor');
    expect(strict.failure.message).toContain('only 30.07 dB');
    expect(strict.failure.message).toContain('the floor is 31 dB');
    expect((await evaluate(30)).ok).toBe(true);
  });

  it('judges only the highest quality point, wherever it is listed', async () => {
    // Grey (far below the floor) except at the best quality.
    const roughBelowTop = new FakeHarnessSandbox({
      decode: (compressed, _metadata, { job }) =>
        job.quality === 0.75 ? Buffer.from(compressed) : grey(compressed),
    });
    successOf(
      await new Evaluator(roughBelowTop, silent, 1).evaluate(CODEC, [CLIP], {
        qualities: [0.75, 0.25, 0.5],
      }),
    );

    const roughAtTop = new FakeHarnessSandbox({
      decode: (compressed, _metadata, { job }) =>
        job.quality === 0.75 ? grey(compressed) : Buffer.from(compressed),
    });
    const result = failureOf(
      await new Evaluator(roughAtTop, silent, 1).evaluate(CODEC, [CLIP], {
        qualities: [0.75, 0.25, 0.5],
      }),
    );
    expect(result.failure.category).toBe('quality_floor');
    expect(result.failure.message).toContain('(quality 0.75)');
  });

  it('names the clip that misses the floor', async () => {
    const other = makeClip('other', 16, 16, 2, 10);
    const sandbox = new FakeHarnessSandbox({
      decode: (compressed, _metadata, { job }) =>
        job.width === 16 ? grey(compressed) : Buffer.from(compressed),
    });
    const result = failureOf(
      await new Evaluator(sandbox, silent, 2).evaluate(CODEC, [CLIP, other], { qualities: [0.5] }),
    );
    expect(result.stage).toBe('sweep');
    expect(result.failure.message).toContain('on clip other ');
    expect(result.failure.message).toContain(`only ${greyPsnr(other).toFixed(2)} dB`);
  });
});

function point(quality: number, psnr: number): RdPointMetrics {
  return {
    quality,
    frames: 2,
    width: 4,
    height: 4,
    fps: 10,
    total_bytes: 100,
    bitrate_kbps: 4,
    bits_per_pixel: 25,
    psnr_y_db: psnr,
    worst_psnr_y_db: psnr,
    worst_block_psnr_y_db: psnr - 5,
    worst_block: { frame: 1, x: 0, y: 0 },
    psnr_u_db: psnr,
    psnr_v_db: psnr,
    psnr_yuv_db: psnr,
    ssim_y: 0.9,
    per_frame_psnr_y_db: [psnr, psnr],
    encode_fps: 100,
    decode_fps: 100,
  };
}

function clipResult(name: string, points: RdPointMetrics[]): ClipResult {
  return {
    clip: name,
    source: `/clips/${name}.y4m`,
    width: 4,
    height: 4,
    frames: 2,
    fps: 10,
    points,
  };
}

describe('qualityFloorFailure', () => {
  it('is null when every clip reaches the floor at its best quality, the floor included', () => {
    const clips = [
      clipResult('a', [point(0.2, 12), point(0.9, 20)]),
      clipResult('b', [point(0.9, 35), point(0.2, 5)]),
    ];
    expect(qualityFloorFailure(clips, 20)).toBeNull();
  });

  it('names the first clip below the floor, its best quality and its PSNR', () => {
    const clips = [
      clipResult('a', [point(0.9, 40)]),
      clipResult('b', [point(0.9, 12.345), point(0.2, 50)]),
      clipResult('c', [point(0.9, 3)]),
    ];
    const failure = qualityFloorFailure(clips, 20);
    expect(failure?.category).toBe('quality_floor');
    expect(failure?.message).toMatch(
      /^on clip b the best quality point \(quality 0\.9\) reaches only 12\.35 dB luma PSNR; the floor is 20 dB/,
    );
  });

  it('uses the floor it is given', () => {
    const clips = [clipResult('a', [point(0.9, 25)])];
    expect(qualityFloorFailure(clips, 25)).toBeNull();
    expect(qualityFloorFailure(clips, 25.5)?.message).toContain('the floor is 25.5 dB');
  });

  it('is null for a clip without points', () => {
    expect(qualityFloorFailure([clipResult('a', [])], 20)).toBeNull();
  });
});

describe('Evaluator construction', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a concurrency of %s',
    (concurrency) => {
      expect(() => new Evaluator(new FakeHarnessSandbox(), silent, concurrency)).toThrow(
        /concurrency must be a positive integer/,
      );
    },
  );

  it('accepts a concurrency of 1', () => {
    expect(() => new Evaluator(new FakeHarnessSandbox(), silent, 1)).not.toThrow();
  });
});

describe('mapLimited', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapLimited([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('starts nothing once a result says stop', async () => {
    const started: number[] = [];
    const results = await mapLimited(
      [1, 2, 3, 4],
      1,
      (n) => {
        started.push(n);
        return Promise.resolve(n);
      },
      (n) => n === 2,
    );
    expect(started).toEqual([1, 2]);
    expect(results).toEqual([1, 2, undefined, undefined]);
  });
});
