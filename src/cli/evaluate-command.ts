import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { CodecLabError } from '../errors.js';
import type { Clip } from '../evaluation/clip.js';
import { readClips } from '../evaluation/clip-folder.js';
import { Evaluator, type EvaluationResult } from '../evaluation/evaluator.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';
import type { Logger } from '../logger.js';
import { AttemptFiles } from '../store/attempt-files.js';
import { closeOnSignal, connectDocker, openSandbox } from './runtime.js';

export const BUILTIN_CLIP = fileURLToPath(
  new URL('../../assets/builtin-vtest-128x96.mkv', import.meta.url),
);

export interface EvaluateCommandOptions {
  readonly codecPath: string;
  readonly json: boolean;
  readonly clips?: string | undefined;
  readonly frames: number;
  readonly qualities: readonly number[];
  readonly skipValidation?: boolean;
}

/** The JSON `codec-lab evaluate --json` prints: an interface other tools rely on. */
export function evaluationJson(
  result: EvaluationResult,
  attemptId: string,
): Record<string, unknown> {
  return {
    ok: result.ok,
    stage: result.stage,
    failure: result.failure,
    ...(result.ok ? {} : { findings: result.findings ?? [], log: result.log }),
    metrics: result.metrics,
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

async function loadClips(config: Config, options: EvaluateCommandOptions): Promise<Clip[]> {
  const reader = new FfmpegClipReader(config.ffmpegPath);
  return readClips(reader, options.clips ?? BUILTIN_CLIP, { maxFrames: options.frames });
}

export async function evaluateCommand(
  config: Config,
  options: EvaluateCommandOptions,
  log: Logger,
  out: (text: string) => void,
): Promise<void> {
  const code = await readFile(options.codecPath).catch((cause: NodeJS.ErrnoException) => {
    throw new CodecLabError(
      'USAGE',
      `cannot read the codec file '${options.codecPath}': ${cause.code ?? cause.message}`,
      {
        cause,
      },
    );
  });
  const clips = await loadClips(config, options);
  const docker = await connectDocker(log);
  const sandbox = await openSandbox(docker, config, log);
  const release = closeOnSignal(sandbox, log);
  try {
    const evaluator = new Evaluator(
      sandbox,
      log.child({ component: 'evaluator' }),
      config.sandbox.concurrency,
    );
    log.info({ codec: options.codecPath, clips: clips.map((clip) => clip.name) }, 'evaluating');
    const result = await evaluator.evaluate(code, clips, {
      qualities: options.qualities,
      ...(options.skipValidation ? { skipValidation: true } : {}),
    });
    const stored = await new AttemptFiles(config.dataDir).record(code, result, {
      origin: options.codecPath,
      settings: {
        qualities: options.qualities,
        frames: options.frames,
        clips: clips.map((c) => c.source),
        limits: config.sandbox,
      },
    });
    log.info({ attemptId: stored.id, ok: result.ok, stage: result.stage }, 'evaluation stored');
    out(
      options.json
        ? JSON.stringify(evaluationJson(result, stored.id))
        : renderText(result, stored.id, stored.dir, clips),
    );
  } finally {
    await sandbox.close();
    release();
  }
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

export function renderText(
  result: EvaluationResult,
  attemptId: string,
  dir: string,
  clips: readonly Clip[],
): string {
  const lines = [
    `attempt ${attemptId}   image ${result.imageId.slice(0, 19)}   ${(result.wallMs / 1000).toFixed(1)} s`,
    `clips: ${clips.map((clip) => `${clip.name} (${clip.width}x${clip.height}, ${clip.frames.length} frames @ ${clip.fps} fps)`).join(', ')}`,
  ];
  if (!result.ok) {
    lines.push(`FAILED at ${result.stage}: ${result.failure.category}`, result.failure.message);
    if (result.failure.excerpt) lines.push(result.failure.excerpt);
    if (result.failure.traceback) lines.push(result.failure.traceback.trimEnd());
  } else {
    lines.push('ok: every stage passed', '');
    lines.push('quality   kbps      bpp     PSNR-Y  worst   PSNR-YUV  SSIM    enc fps  dec fps');
    for (const point of result.metrics.points) {
      lines.push(
        [
          fixed(point.quality, 2).padEnd(9),
          fixed(point.bitrate_kbps, 1).padEnd(9),
          fixed(point.bits_per_pixel, 3).padEnd(7),
          fixed(point.psnr_y_db, 2).padEnd(7),
          fixed(point.worst_psnr_y_db, 2).padEnd(7),
          fixed(point.psnr_yuv_db, 2).padEnd(9),
          fixed(point.ssim_y, 4).padEnd(7),
          fixed(point.encode_fps, 1).padEnd(8),
          fixed(point.decode_fps, 1),
        ].join(' '),
      );
    }
  }
  lines.push('', `stored in ${dir}/attempt_${attemptId}.*`);
  return lines.join('\n');
}
