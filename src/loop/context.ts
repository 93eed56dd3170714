/**
 * What a generator is told about the past, derived from stored attempts. Pure.
 */
import type { AnchorTable } from '../anchors/anchors.js';
import type { AnchorPoint } from '../anchors/anchor-point.js';
import { ANCHOR_NAMES, settingLabel } from '../anchors/anchor-point.js';
import type { EvaluationMetrics } from '../evaluation/evaluator.js';
import type { AttemptSummary } from '../generators/generator.js';
import type { RdRow, RdTable } from '../prompt/prompt-builder.js';
import type { StoredAttempt } from '../store/store.js';

/** The offline generator writes its genome as the code's first comment line; read it back. */
const ORIGIN_LINE = /^# origin: (\{.*\})$/m;

export function attemptSummary(attempt: StoredAttempt): AttemptSummary {
  const origin = parseOrigin(attempt.code);
  return {
    attemptId: attempt.id,
    code: attempt.code,
    ...(origin ? { origin } : {}),
    ok: attempt.ok,
    stage: attempt.stage,
    ...(attempt.category ? { category: attempt.category } : {}),
    ...(attempt.failureMessage ? { message: attempt.failureMessage } : {}),
    ...(attempt.traceback ? { traceback: attempt.traceback } : {}),
    bdRateVsIncumbentPct: attempt.assessment?.bd_rate.incumbent ?? null,
    bdRateVsJpegPct: attempt.assessment?.bd_rate.jpeg ?? null,
    adopted: attempt.version !== null,
    ...(attempt.duplicateOf ? { duplicateOf: attempt.duplicateOf } : {}),
    ...(attempt.ok && attempt.stage === 'screen' && attempt.screening
      ? {
          screened: {
            clip: attempt.screening.clip,
            bdRatePct: attempt.screening.bdRatePct,
            marginPct: attempt.screening.marginPct,
          },
        }
      : {}),
    ...(attempt.tuning
      ? {
          tuning: {
            params: attempt.tuning.params,
            defaults: attempt.tuning.defaults,
            defaultBdRatePct: attempt.tuning.default_bd_rate,
            tunedBdRatePct: attempt.tuning.tuned_bd_rate,
            evaluations: attempt.tuning.evaluations,
            wallMs: attempt.tuning.wall_ms,
          },
        }
      : {}),
  };
}

function parseOrigin(code: string): Record<string, unknown> | null {
  const match = ORIGIN_LINE.exec(code.slice(0, 4000));
  if (!match?.[1]) return null;
  try {
    const value: unknown = JSON.parse(match[1]);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);
}

/** Rows of the anchors, mean over clips per setting. */
function anchorRows(table: AnchorTable): RdRow[] {
  const rows: RdRow[] = [];
  for (const anchor of ANCHOR_NAMES) {
    const first = table.clips[0]?.anchors[anchor] ?? [];
    first.forEach((point: AnchorPoint, index) => {
      const at = table.clips
        .map((clip) => clip.anchors[anchor][index])
        .filter((p) => p !== undefined);
      rows.push({
        codec: anchor,
        setting: settingLabel(point),
        bitrateKbps: mean(at.map((p) => p.bitrate_kbps)),
        psnrYDb: mean(at.map((p) => p.psnr_y_db)),
        ssimY: mean(at.map((p) => p.ssim_y)),
      });
    });
  }
  return rows;
}

/** A codec's RD table next to the anchors, with its BD-rates, for the prompt. */
export function rdTable(
  metrics: EvaluationMetrics,
  anchors: AnchorTable | null,
  bdRatePct: Readonly<Record<string, number | null>> | undefined,
): RdTable {
  const rows: RdRow[] = metrics.points.map((point) => ({
    codec: 'best',
    setting: `q ${point.quality.toFixed(2)}`,
    bitrateKbps: point.bitrate_kbps,
    psnrYDb: point.psnr_y_db,
    ssimY: point.ssim_y,
  }));
  return {
    rows: anchors ? [...rows, ...anchorRows(anchors)] : rows,
    ...(bdRatePct ? { bdRatePct } : {}),
  };
}
