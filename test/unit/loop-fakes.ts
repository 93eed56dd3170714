/**
 * Hand-written fakes for the research loop's tests: a clock that only moves when told, a
 * generator that plays a script, and assessment ports whose results are read from the code.
 */
import type {
  AnchorMetrics,
  FfmpegAnchorPoint,
  JpegAnchorPoint,
} from '../../src/anchors/anchor-point.js';
import type { AnchorTable } from '../../src/anchors/anchors.js';
import type { AssessPorts } from '../../src/assessment/assessment.js';
import type { Clip } from '../../src/evaluation/clip.js';
import type {
  ClipResult,
  EvaluateOptions,
  EvaluationMetrics,
  EvaluationResult,
  IsolationOutcome,
  EvaluationTimings,
  RdPointMetrics,
  SummaryPoint,
} from '../../src/evaluation/evaluator.js';
import { isFailureCategory } from '../../src/evaluation/failure.js';
import type {
  CodeGenerator,
  Generation,
  GenerationContext,
  GeneratorCapabilities,
  Usage,
} from '../../src/generators/generator.js';
import type { Clock } from '../../src/loop/clock.js';

export const T0 = 1_700_000_000_000;
export const GENERATE_MS = 200;
export const EVALUATE_MS = 1000;
export const QUALITIES = [0.2, 0.4, 0.6, 0.8] as const;
export const MODEL = 'fake-model-1';

/** now() moves only through advance() and sleep(); sleep() resolves at once. */
export class FakeClock implements Clock {
  private t = T0;
  readonly sleeps: number[] = [];
  /** Runs when sleep is called, before time moves (e.g. to abort the loop mid-backoff). */
  onSleep: ((ms: number) => void) | null = null;

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.onSleep?.(ms);
    if (!signal.aborted) this.t += ms;
    return Promise.resolve();
  }
}

export function usage(costUsd: number): Usage {
  return {
    inputTokens: 1200,
    outputTokens: 800,
    cacheReadTokens: 300,
    cacheWriteTokens: 0,
    costUsd,
  };
}

/** Codec source whose `# …` directive lines tell FakePorts what to return. */
export function codec(name: string, ...directives: string[]): string {
  return [
    `# codec ${name}`,
    ...directives.map((directive) => `# ${directive}`),
    'def compress_video_frame(frame, config):',
    "    return {'compressed': b'', 'metadata': {}}",
    '',
  ].join('\n');
}

export function generated(code: string, costUsd = 0.01): Generation {
  return {
    ok: true,
    code,
    raw: `Here it is.\n\`\`\`python\n${code}\`\`\`\n`,
    model: MODEL,
    usage: usage(costUsd),
  };
}

export function noCode(costUsd = 0.01): Generation {
  return {
    ok: false,
    kind: 'no_code_block',
    message: 'the response has no ```python block',
    raw: 'I would rather not write a codec today.',
    model: MODEL,
    usage: usage(costUsd),
  };
}

export type ScriptStep = Generation | Error;

/** Plays its script in call order; each call takes GENERATE_MS of the fake clock. */
export class FakeGenerator implements CodeGenerator {
  readonly contexts: GenerationContext[] = [];
  readonly calledAtMs: number[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly script: ScriptStep[],
    readonly name = 'fake',
  ) {}

  /** Named 'offline', it declares what the offline generator does: no prompt, no repairs. */
  get capabilities(): GeneratorCapabilities {
    const prompted = this.name !== 'offline';
    return { usesPrompt: prompted, repairsParent: prompted };
  }

  get calls(): number {
    return this.contexts.length;
  }

  generate(context: GenerationContext): Promise<Generation> {
    this.contexts.push(context);
    this.calledAtMs.push(this.clock.now());
    this.clock.advance(GENERATE_MS);
    const step = this.script.shift();
    if (step === undefined) {
      return Promise.reject(new Error(`generator script exhausted at call ${this.calls}`));
    }
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  }
}

export function clip(name: string): Clip {
  const frame = Buffer.alloc(16 * 16 * 3, 128);
  return { name, width: 16, height: 16, fps: 10, frames: [frame, frame], source: `/clips/${name}` };
}

/** Rate doubles per quality step; PSNR rises 3 dB per step, so +3 dB halves the bits. */
const rateAt = (step: number): number => 100 * 2 ** step;
const psnrAt = (step: number, offset: number): number => 30 + 3 * step + offset;
/** BD-rate of a curve shifted up by `db` against the unshifted one. */
export const shiftedBdRatePct = (db: number): number => (2 ** (-db / 3) - 1) * 100;

const NO_TIMINGS: EvaluationTimings = {
  runs: 1,
  acquire_ms: 0,
  codec_ms: 0,
  transfer_ms: 0,
  tar_ms: 0,
  metrics_ms: 0,
};

function directive(code: string, name: string): string | null {
  return new RegExp(`^# ${name}: (\\S+)$`, 'm').exec(code)?.[1] ?? null;
}

export function clipResult(
  c: Clip,
  offset: number,
  qualities: readonly number[],
  worstBlockGapDb = 6,
): ClipResult {
  const frames = c.frames.length;
  const points = qualities.map((quality, step): RdPointMetrics => {
    const psnr = psnrAt(step, offset);
    const kbps = rateAt(step);
    return {
      frames,
      width: c.width,
      height: c.height,
      fps: c.fps,
      total_bytes: Math.round((kbps * 1000 * frames) / c.fps / 8),
      bitrate_kbps: kbps,
      bits_per_pixel: (kbps * 1000) / (c.fps * c.width * c.height),
      psnr_y_db: psnr,
      worst_psnr_y_db: psnr - 1,
      worst_block_psnr_y_db: psnr - worstBlockGapDb,
      worst_block: { frame: 1, x: 0, y: 0 },
      psnr_u_db: psnr + 2,
      psnr_v_db: psnr + 2,
      psnr_yuv_db: psnr + 0.5,
      ssim_y: 0.9,
      quality,
      encode_fps: 50,
      decode_fps: 100,
      per_frame_psnr_y_db: c.frames.map(() => psnr),
    };
  });
  return {
    clip: c.name,
    source: c.source,
    width: c.width,
    height: c.height,
    frames,
    fps: c.fps,
    points,
  };
}

export function metricsFor(clipResults: readonly ClipResult[]): EvaluationMetrics {
  const mean = (pick: (p: RdPointMetrics) => number, index: number): number =>
    clipResults.reduce((sum, c) => sum + pick(c.points[index]!), 0) / clipResults.length;
  const points = (clipResults[0]?.points ?? []).map((point, i): SummaryPoint => ({
    quality: point.quality,
    bitrate_kbps: mean((p) => p.bitrate_kbps, i),
    bits_per_pixel: mean((p) => p.bits_per_pixel, i),
    psnr_y_db: mean((p) => p.psnr_y_db, i),
    worst_psnr_y_db: mean((p) => p.worst_psnr_y_db, i),
    worst_block_psnr_y_db: Math.min(...clipResults.map((c) => c.points[i]!.worst_block_psnr_y_db)),
    worst_block: { clip: clipResults[0]?.clip ?? '', frame: 1, x: 0, y: 0 },
    psnr_yuv_db: mean((p) => p.psnr_yuv_db, i),
    ssim_y: mean((p) => p.ssim_y, i),
    encode_fps: mean((p) => p.encode_fps, i),
    decode_fps: mean((p) => p.decode_fps, i),
  }));
  return { points, clips: clipResults };
}

/**
 * The result the fake sandbox gives `code`: `# fail: <category>` fails at smoke; otherwise an RD
 * curve shifted by `# psnr-offset: <dB>` (on clips named `h-*`, by `# holdout-offset: <dB>` when
 * given), whose worst 16×16 block sits `# worst-block-gap: <dB>` (default 6) below each point.
 */
export function resultFor(
  code: string,
  clips: readonly Clip[],
  qualities: readonly number[],
): EvaluationResult {
  const category = directive(code, 'fail');
  if (category !== null) {
    if (!isFailureCategory(category)) throw new Error(`bad fail directive ${category}`);
    return {
      ok: false,
      stage: 'smoke',
      failure: {
        category,
        message: `fake ${category}`,
        cause: null,
        traceback: 'Traceback (most recent call last):\nValueError: fake',
        line: 3,
      },
      log: 'codec printed this',
      metrics: null,
      imageId: 'sha256:fake-image',
      wallMs: EVALUATE_MS,
      timings: NO_TIMINGS,
    };
  }
  const offset = Number(directive(code, 'psnr-offset') ?? 0);
  const holdoutOffset = Number(directive(code, 'holdout-offset') ?? offset);
  const gap = Number(directive(code, 'worst-block-gap') ?? 6);
  const results = clips.map((c) =>
    clipResult(c, c.name.startsWith('h-') ? holdoutOffset : offset, qualities, gap),
  );
  return {
    ok: true,
    stage: 'done',
    failure: null,
    metrics: metricsFor(results),
    imageId: 'sha256:fake-image',
    wallMs: EVALUATE_MS,
    timings: NO_TIMINGS,
  };
}

/**
 * JPEG 2 dB below an offset-0 codec, x264 3 dB above, x265 4 dB above, VP9 4.5 dB above, AV1
 * 5 dB above, same rates.
 */
export function anchorTable(clips: readonly Clip[]): AnchorTable {
  const crfs = [35, 30, 25, 20];
  const metrics = (step: number, offset: number): AnchorMetrics => {
    const psnr = psnrAt(step, offset);
    return {
      total_bytes: 1000 * (step + 1),
      bitrate_kbps: rateAt(step),
      bits_per_pixel: rateAt(step) / 256,
      psnr_y_db: psnr,
      worst_psnr_y_db: psnr - 1,
      psnr_yuv_db: psnr + 0.5,
      ssim_y: 0.8 + step * 0.02,
    };
  };
  const jpeg = QUALITIES.map((quality, step): JpegAnchorPoint => ({
    ...metrics(step, -2),
    quality,
  }));
  const ffmpeg = (offset: number): FfmpegAnchorPoint[] =>
    crfs.map((crf, step) => ({ ...metrics(step, offset), crf }));
  return {
    settings: {
      jpeg: { anchor: 'jpeg', levels: [...QUALITIES], details: { fake: true } },
      x264: { anchor: 'x264', levels: crfs, details: { fake: true } },
      x265: { anchor: 'x265', levels: crfs, details: { fake: true } },
      vp9: { anchor: 'vp9', levels: crfs, details: { fake: true } },
      av1: { anchor: 'av1', levels: crfs, details: { fake: true } },
    },
    clips: clips.map((c) => ({
      clip: c.name,
      sha256: `sha-${c.name}`,
      width: c.width,
      height: c.height,
      frames: c.frames.length,
      fps: c.fps,
      anchors: { jpeg, x264: ffmpeg(3), x265: ffmpeg(4), vp9: ffmpeg(4.5), av1: ffmpeg(5) },
    })),
  };
}

export interface EvaluateCall {
  readonly code: string;
  readonly clips: readonly string[];
}

/**
 * Assessment ports backed by resultFor. Each evaluate takes EVALUATE_MS of the fake clock; a
 * code's first evaluation can be held back until a test releases it.
 */
export class FakePorts implements AssessPorts {
  readonly calls: EvaluateCall[] = [];
  readonly anchorCalls: Array<readonly string[]> = [];
  private readonly held = new Map<string, Promise<void>>();

  constructor(private readonly clock: FakeClock) {}

  /** The first evaluation of `code` waits until the returned function is called. */
  hold(code: string): () => void {
    let release = (): void => undefined;
    this.held.set(
      code,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => release();
  }

  async evaluate(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult> {
    const text = code.toString('utf8');
    this.calls.push({ code: text, clips: clips.map((c) => c.name) });
    this.clock.advance(EVALUATE_MS);
    const gate = this.held.get(text);
    if (gate !== undefined) {
      this.held.delete(text);
      await gate;
    }
    return resultFor(text, clips, options.qualities);
  }

  anchors(clips: readonly Clip[]): Promise<AnchorTable> {
    this.anchorCalls.push(clips.map((c) => c.name));
    return Promise.resolve(anchorTable(clips));
  }

  /** Codes whose isolation check fails (their decodes "depended on another sandbox"). */
  readonly leaky = new Set<string>();
  readonly isolationChecks: string[] = [];

  checkIsolation(code: Buffer, results: readonly EvaluationResult[]): Promise<IsolationOutcome> {
    const text = code.toString('utf8');
    this.isolationChecks.push(text);
    const decodes = results.reduce(
      (sum, result) =>
        sum + (result.ok ? result.metrics.clips.reduce((n, clip) => n + clip.points.length, 0) : 0),
      0,
    );
    if (!this.leaky.has(text)) return Promise.resolve({ ok: true, decodes, wallMs: 0 });
    return Promise.resolve({
      ok: false,
      failure: {
        category: 'nondeterministic',
        cause: { key: 'nondeterministic', subject: { run: 'decode', clip: 'd-0', quality: 0.1 } },
        message:
          'decoding clip d-0 at quality 0.1 again, with no other sandbox on the host running, returned different frames',
      },
      log: '',
      decodes: 1,
      wallMs: 0,
    });
  }

  callsFor(code: string): EvaluateCall[] {
    return this.calls.filter((call) => call.code === code);
  }
}
