/**
 * The RD chart of a stored attempt (docs/ARCHITECTURE.md §7.3): its measured curves from the
 * store and the anchor curves cached on the same clips, as the chart's plain input. Used by
 * `codec-lab plot`, the reports and the dashboard, so all three draw the same thing.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ListedAnchorClip } from '../anchors/anchor-listing.js';
import { settingLabel, type AnchorPoint } from '../anchors/anchor-point.js';
import {
  rdChartData,
  rdChartSpec,
  type ChartAnchorClip,
  type ChartCodecClip,
  type RdChartData,
  type RdChartOptions,
} from '../charts/rd-chart.js';
import { chartSvg } from '../charts/render.js';
import { CodecLabError } from '../errors.js';
import type { EvaluationMetrics } from '../evaluation/results.js';
import type { CodecVersion, Store, StoredAttempt } from '../store/store.js';

/** A codec's clips as chart curves; its settings are labelled like the JPEG anchor's (`q 0.50`). */
export function codecCurves(metrics: EvaluationMetrics): ChartCodecClip[] {
  return metrics.clips.map((clip) => ({
    clip: clip.clip,
    width: clip.width,
    height: clip.height,
    frames: clip.frames,
    fps: clip.fps,
    points: clip.points.map((p) => ({
      setting: `q ${p.quality.toFixed(2)}`,
      bitrate_kbps: p.bitrate_kbps,
      psnr_y_db: p.psnr_y_db,
    })),
  }));
}

/** Every anchor the cache holds for each clip, whatever anchors there are. */
export function anchorCurves(listed: readonly ListedAnchorClip[]): ChartAnchorClip[] {
  return listed.map((row) => ({
    clip: row.clip,
    width: row.width,
    height: row.height,
    frames: row.frames,
    fps: row.fps,
    anchors: Object.fromEntries(
      Object.entries(row.anchors).map(([anchor, points]) => [
        anchor,
        (points as readonly AnchorPoint[] | undefined)?.map((p) => ({
          setting: settingLabel(p),
          bitrate_kbps: p.bitrate_kbps,
          psnr_y_db: p.psnr_y_db,
        })),
      ]),
    ),
  }));
}

export interface AttemptChart {
  readonly title: string;
  readonly data: RdChartData;
  readonly spec: TopLevelSpec;
}

/** The chart of one attempt that passed (it has curves), labelled `label` in the legend. */
export function attemptRdChart(
  attempt: Pick<StoredAttempt, 'id' | 'metrics'>,
  label: string,
  anchors: readonly ListedAnchorClip[],
  options: RdChartOptions = {},
): AttemptChart | null {
  if (attempt.metrics === null || attempt.metrics.clips.length === 0) return null;
  const data = rdChartData({
    label,
    clips: codecCurves(attempt.metrics),
    anchors: anchorCurves(anchors),
  });
  const heading = `${label} (attempt ${attempt.id}) against the anchors`;
  const subtitle = 'luma PSNR against bitrate';
  return {
    title: `${heading}: ${subtitle}`,
    data,
    spec: rdChartSpec(data, { title: heading, subtitle, ...options }),
  };
}

export interface ChosenVersion {
  readonly version: CodecVersion;
  readonly attempt: StoredAttempt;
}

/**
 * A stored version, by number, or the newest one: the incumbent, which the adoption rule
 * judged better than every earlier version. Null when nothing was adopted yet (and no number
 * was asked for); an unknown number is a usage error naming the versions there are.
 */
export function chooseVersion(store: Store, number?: number): ChosenVersion | null {
  const versions = store.versions();
  const version =
    number === undefined ? versions.at(-1) : versions.find((v) => v.version === number);
  if (version === undefined) {
    if (number === undefined) return null;
    const known = versions.length === 0 ? 'none yet' : `v1 … v${versions.at(-1)!.version}`;
    throw new CodecLabError(
      'USAGE',
      `there is no version ${number} in this data dir (adopted versions: ${known}); see codec-lab versions`,
    );
  }
  const attempt = store.attempt(version.attemptId);
  if (attempt === null) {
    throw new CodecLabError(
      'STORE_FAILED',
      `version ${version.version} names attempt ${version.attemptId}, which the store does not hold`,
    );
  }
  return { version, attempt };
}

/** The incumbent's chart as SVG for the reports (report-files.ts), or null before v1. */
export function bestVersionPlot(
  store: Store,
  anchors: () => Promise<readonly ListedAnchorClip[]>,
): () => Promise<{ svg: string; caption: string; notes: readonly string[] } | null> {
  return async () => {
    const chosen = chooseVersion(store);
    if (chosen === null) return null;
    const chart = attemptRdChart(chosen.attempt, `v${chosen.version.version}`, await anchors());
    if (chart === null) {
      throw new Error(
        `v${chosen.version.version} (attempt ${chosen.attempt.id}) has no stored RD points`,
      );
    }
    return { svg: await chartSvg(chart.spec), caption: chart.title, notes: chart.data.notes };
  };
}
