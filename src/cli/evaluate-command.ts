import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_X26X_PRESET, type X26xPreset } from '../anchors/anchor-point.js';
import type { Config } from '../config.js';
import { CodecLabError } from '../errors.js';
import type { Clip } from '../evaluation/clip.js';
import {
  assessCodec,
  evaluatorPorts,
  type Assessment,
  type Incumbent,
} from '../assessment/assessment.js';
import { Evaluator } from '../evaluation/evaluator.js';
import { anchorMeasurer } from './anchor-runtime.js';
import { describeSplit } from '../clips/holdout-split.js';
import { type ClipInput, selectClips } from './clip-selection.js';
import { clipConversions, describeInput } from './clip-input-text.js';
import type { Logger } from '../logger.js';
import type { DockerSandbox } from '../sandbox/docker-sandbox.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { codecText, evaluatedFileRecord } from './evaluate-record.js';
import { closeOnSignal, connectDocker, openSandbox } from './runtime.js';
import { tuneOptions, tuningJson } from './tune-flags.js';

export interface EvaluateCommandOptions {
  readonly codecPath: string;
  readonly json: boolean;
  readonly clips?: string | undefined;
  /** `--holdout PATH` (with `--incumbent` only); without it `--clips` is split by the rule. */
  readonly holdout?: string | undefined;
  readonly frames?: number | undefined;
  /** `--start`, and what raw `.yuv` clips hold. */
  readonly input?: ClipInput | undefined;
  readonly qualities: readonly number[];
  /** A codec file to compare against and decide adoption over. */
  readonly incumbent?: string | undefined;
  /**
   * Skip static validation (both codecs): the container is the security boundary, not the
   * validator, so trusted code the validator refuses can still be measured.
   */
  readonly skipValidation?: boolean | undefined;
  /** False: the per-point protocol (one encoder and one decoder container per point). */
  readonly batching?: boolean | undefined;
  /** x264 and x265's preset for the anchors (`--anchor-preset`). */
  readonly anchorPreset?: X26xPreset | undefined;
  /** `--params`: the codec's config['params'], used as given (never tuned). */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** False (`--no-tune`): no tuning; the defaults (or `--params`) run. */
  readonly tune?: boolean | undefined;
}

/** The JSON `codec-lab evaluate --json` prints: an interface other tools rely on. */
export function evaluationJson(assessment: Assessment, attemptId: string): Record<string, unknown> {
  const { result } = assessment;
  return {
    ok: result.ok,
    stage: result.stage,
    failure: result.failure,
    ...(result.ok ? {} : { findings: result.findings ?? [], log: result.log }),
    metrics: result.metrics,
    bd_rate: assessment.bd_rate,
    bd_rate_details: assessment.bd_rate_details,
    anchor_settings: assessment.anchor_settings,
    adoption: assessment.adoption,
    incumbent: assessment.incumbent && {
      origin: assessment.incumbent.origin,
      ok: assessment.incumbent.result.ok,
      stage: assessment.incumbent.result.stage,
    },
    params: result.params ?? null,
    tuning: tuningJson(result.tuning),
    attempt_id: attemptId,
    image_id: result.imageId,
    wall_ms: result.wallMs,
    timings: result.timings,
  };
}

export function parseQualities(text: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (
    values.length === 0 ||
    values.some((value) => !Number.isFinite(value) || value < 0 || value > 1)
  ) {
    throw new CodecLabError(
      'USAGE',
      `--qualities takes comma-separated numbers in [0, 1], e.g. 0.2,0.5,0.8 (got '${text}')`,
    );
  }
  if (new Set(values).size !== values.length) {
    throw new CodecLabError('USAGE', `--qualities has a repeated value ('${text}')`);
  }
  return values.sort((a, b) => a - b);
}

async function readCode(path: string, what: string): Promise<Buffer> {
  return readFile(path).catch((cause: NodeJS.ErrnoException) => {
    throw new CodecLabError(
      'USAGE',
      `cannot read ${what} '${path}': ${cause.code ?? cause.message}`,
      { cause },
    );
  });
}

/** Evaluates, stores and prints; resolves with the stored attempt's id. */
export async function evaluateCommand(
  config: Config,
  options: EvaluateCommandOptions,
  log: Logger,
  out: (text: string) => void,
): Promise<string> {
  if (options.holdout !== undefined && options.incumbent === undefined) {
    throw new CodecLabError(
      'USAGE',
      '--holdout needs --incumbent: the holdout only confirms an adoption decision, which evaluate makes against an incumbent',
    );
  }
  const code = await readCode(options.codecPath, 'the codec file');
  const text = codecText(code, options.codecPath);
  const incumbent: Incumbent | null = options.incumbent
    ? {
        code: await readCode(options.incumbent, 'the incumbent codec file'),
        origin: options.incumbent,
      }
    : null;
  const selection = await selectClips(
    config,
    options.clips,
    options.frames,
    { path: options.holdout, needed: incumbent !== null },
    options.input,
  );
  if (incumbent !== null) process.stderr.write(`${describeSplit(selection.split).join('\n')}\n`);
  // Opened before the evaluation, so a store that cannot take the attempt fails in a second,
  // not after minutes of measuring. A guest: it records next to a run that holds the store.
  const store = SqliteStore.openGuest({ dataDir: config.dataDir });
  let sandbox: DockerSandbox | null = null;
  let release = (): void => {};
  const batching = options.batching !== false;
  const anchorPreset = options.anchorPreset ?? DEFAULT_X26X_PRESET;
  try {
    const docker = await connectDocker(log);
    sandbox = await openSandbox(docker, config, log, {
      batching,
      containersInFlight: config.sandbox.concurrency,
    });
    release = closeOnSignal(sandbox, log);
    const evaluator = new Evaluator(
      sandbox,
      log.child({ component: 'evaluator' }),
      config.sandbox.concurrency,
    );
    log.info(
      { codec: options.codecPath, clips: selection.clips.map((clip) => clip.name) },
      'evaluating',
    );
    const startedMs = Date.now();
    const assessment = await assessCodec(
      {
        code,
        clips: selection.clips,
        holdout: selection.holdout,
        incumbent,
        options: {
          qualities: options.qualities,
          ...(options.skipValidation === true ? { skipValidation: true } : {}),
          batching,
          ...(options.params === undefined ? {} : { params: options.params }),
          ...(options.tune === false || options.params !== undefined
            ? {}
            : { tune: tuneOptions(incumbent) }),
        },
      },
      evaluatorPorts(evaluator, anchorMeasurer(config, evaluator, sandbox, log, anchorPreset)),
    );
    const { result } = assessment;
    const stored = store.recordAttempt(
      evaluatedFileRecord({
        code: text,
        path: resolve(options.codecPath),
        assessment,
        evaluationMs: Date.now() - startedMs,
        settings: {
          qualities: options.qualities,
          frames: options.frames ?? null,
          ...describeInput(options.input),
          conversions: clipConversions(selection.clips),
          clips: selection.clips.map((clip) => clip.source),
          incumbent: options.incumbent ?? null,
          clip_split: selection.split,
          skip_validation: options.skipValidation === true,
          batching,
          anchor_preset: anchorPreset,
          params: options.params ?? null,
          tune: options.tune !== false && options.params === undefined,
          limits: config.sandbox,
        },
        createdAtMs: Date.now(),
      }),
    );
    log.info({ attemptId: stored.id, ok: result.ok, stage: result.stage }, 'evaluation stored');
    out(
      options.json
        ? JSON.stringify(evaluationJson(assessment, stored.id))
        : renderText(assessment, stored.id, config.dataDir, selection.clips),
    );
    return stored.id;
  } finally {
    await sandbox?.close();
    release();
    store.close();
  }
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

export function renderText(
  assessment: Assessment,
  attemptId: string,
  dataDir: string,
  clips: readonly Clip[],
): string {
  const { result } = assessment;
  const lines = [
    `attempt ${attemptId}   image ${result.imageId.slice(0, 19)}   ${(result.wallMs / 1000).toFixed(1)} s`,
    `clips: ${clips.map((clip) => `${clip.name} (${clip.width}x${clip.height}, ${clip.frames.length} frames @ ${clip.fps} fps)`).join(', ')}`,
    ...Object.entries(clipConversions(clips)).map(([name, text]) => `  ${name}: ${text}`),
  ];
  if (!result.ok) {
    lines.push(`FAILED at ${result.stage}: ${result.failure.category}`, result.failure.message);
    if (result.failure.excerpt) lines.push(result.failure.excerpt);
    if (result.failure.traceback) lines.push(result.failure.traceback.trimEnd());
  } else {
    lines.push('ok: every stage passed', '');
    lines.push(
      'quality   kbps      bpp     PSNR-Y  worst   block   PSNR-YUV  SSIM    enc fps  dec fps',
    );
    for (const point of result.metrics.points) {
      lines.push(
        [
          fixed(point.quality, 2).padEnd(9),
          fixed(point.bitrate_kbps, 1).padEnd(9),
          fixed(point.bits_per_pixel, 3).padEnd(7),
          fixed(point.psnr_y_db, 2).padEnd(7),
          fixed(point.worst_psnr_y_db, 2).padEnd(7),
          fixed(point.worst_block_psnr_y_db, 2).padEnd(7),
          fixed(point.psnr_yuv_db, 2).padEnd(9),
          fixed(point.ssim_y, 4).padEnd(7),
          fixed(point.encode_fps, 1).padEnd(8),
          fixed(point.decode_fps, 1),
        ].join(' '),
      );
    }
    lines.push(
      '(worst: the lowest frame PSNR-Y; block: the lowest 16×16-block PSNR-Y, over the clips)',
    );
    const tuning = result.tuning;
    if (tuning !== undefined) {
      const pct = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)} %`);
      lines.push(
        '',
        `tuned on a proxy (${tuning.proxy.clips.join(', ')}, ${tuning.proxy.frames} frames, qualities ${tuning.proxy.qualities.join(', ')}) against ${tuning.proxy.reference}: BD-rate ${pct(tuning.default_bd_rate)} with the defaults, ${pct(tuning.tuned_bd_rate)} tuned, ${tuning.evaluations} evaluations in ${(tuning.wall_ms / 1000).toFixed(1)} s`,
        `params: ${JSON.stringify(tuning.params)}`,
      );
    } else if (result.params !== undefined && Object.keys(result.params).length > 0) {
      lines.push('', `params (untuned): ${JSON.stringify(result.params)}`);
    }
  }
  if (!result.ok && assessment.adoption) {
    lines.push('', `adoption rule: ${assessment.adoption.summary}`);
  }
  if (result.ok) {
    lines.push(
      '',
      'BD-rate (luma PSNR, mean over clips; negative = fewer bits for the same quality):',
    );
    for (const [name, detail] of Object.entries(assessment.bd_rate_details)) {
      lines.push(
        `  vs ${name.padEnd(9)} ${detail.mean_pct === null ? `n/a (${detail.reason ?? 'unknown'})` : `${detail.mean_pct.toFixed(2)} %`}`,
      );
    }
    if (assessment.adoption) {
      lines.push(
        '',
        `adoption rule (evaluate adopts nothing, it reports): ${assessment.adoption.summary}`,
      );
    }
  }
  lines.push(
    '',
    `stored as attempt ${attemptId} in ${dataDir} (code_attempts/attempt_${attemptId}.*; codec-lab status counts it)`,
  );
  return lines.join('\n');
}
