/**
 * Rate-distortion charts (docs/ARCHITECTURE.md §7.3): one Vega-Lite spec, drawn as SVG or PNG by
 * `codec-lab plot` and the reports, and in the browser by the dashboard. A codec's curves against
 * every anchor measured on the same clips, one panel per clip and one for the mean over clips.
 * Pure: the input is plain measured points, whatever produced them (the store, the anchor cache).
 */
import type { TopLevelSpec } from 'vega-lite';

/** One measured point: a setting (`q 0.50`, `crf 24`) and what it gave. */
export interface ChartPoint {
  readonly setting: string;
  readonly bitrate_kbps: number;
  readonly psnr_y_db: number;
}

/** A clip as measured: the geometry decides which anchor curves belong to it. */
export interface ChartClip {
  readonly clip: string;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly fps: number;
}

export interface ChartCodecClip extends ChartClip {
  readonly points: readonly ChartPoint[];
}

/** One clip's anchor curves, by anchor name (whichever anchors were measured: x264, av1, …). */
export interface ChartAnchorClip extends ChartClip {
  readonly anchors: { readonly [anchor: string]: readonly ChartPoint[] | undefined };
}

export interface RdChartInput {
  /** The codec's name in the legend: `v3`, or the file name. */
  readonly label: string;
  readonly clips: readonly ChartCodecClip[];
  /** Anchor curves measured on clips; only those on the same clip and geometry are drawn. */
  readonly anchors: readonly ChartAnchorClip[];
}

/** One row of the chart's data: a point of one series in one panel. */
export interface RdRow {
  readonly panel: string;
  readonly series: string;
  readonly role: 'codec' | 'anchor';
  readonly setting: string;
  readonly bitrate_kbps: number;
  readonly psnr_y_db: number;
}

export interface RdChartData {
  readonly rows: readonly RdRow[];
  /** Series names, the codec first, then the anchors in the order first met. */
  readonly series: readonly string[];
  /** Panel titles, the mean first when there is more than one clip. */
  readonly panels: readonly string[];
  /** What is missing and why (an anchor not measured on a clip, a curve left out of the mean). */
  readonly notes: readonly string[];
}

export const BITRATE_TITLE = 'bitrate (kbit/s, log scale)';
export const PSNR_TITLE = 'PSNR-Y (dB)';

function panelTitle(clip: ChartClip): string {
  return `${clip.clip} (${clip.width}x${clip.height}, ${clip.frames} frames @ ${clip.fps} fps)`;
}

function sameClip(a: ChartClip, b: ChartClip): boolean {
  return (
    a.clip === b.clip &&
    a.width === b.width &&
    a.height === b.height &&
    a.frames === b.frames &&
    a.fps === b.fps
  );
}

/** Per setting, the mean bitrate and PSNR over the clips, as `summarise` does for a codec. */
function meanCurve(curves: ReadonlyArray<readonly ChartPoint[]>): ChartPoint[] | null {
  const settings = curves[0]?.map((p) => p.setting) ?? [];
  const mean: ChartPoint[] = [];
  for (const setting of settings) {
    const points = curves.map((curve) => curve.find((p) => p.setting === setting));
    if (points.some((p) => p === undefined)) return null;
    const defined = points as ChartPoint[];
    const avg = (pick: (p: ChartPoint) => number): number =>
      defined.reduce((sum, p) => sum + pick(p), 0) / defined.length;
    mean.push({
      setting,
      bitrate_kbps: avg((p) => p.bitrate_kbps),
      psnr_y_db: avg((p) => p.psnr_y_db),
    });
  }
  return curves.every((curve) => curve.length === settings.length) ? mean : null;
}

/**
 * The rows of the chart: per clip the codec and every anchor measured on that clip as
 * evaluated, then (with two or more clips) the mean over clips of each series measured at the
 * same settings on every clip. A log-scale axis cannot show 0 kbit/s: such points are left out
 * and noted.
 */
export function rdChartData(input: RdChartInput): RdChartData {
  const series: string[] = [input.label];
  const notes: string[] = [];
  const perClip: Array<{ panel: string; curves: Map<string, readonly ChartPoint[]> }> = [];
  for (const clip of input.clips) {
    const curves = new Map<string, readonly ChartPoint[]>([[input.label, clip.points]]);
    const row = input.anchors.find((a) => sameClip(a, clip));
    if (row === undefined) {
      notes.push(
        `no anchor measured on ${panelTitle(clip)}: run \`codec-lab anchors\` on the same clips and frames`,
      );
    } else {
      for (const [anchor, points] of Object.entries(row.anchors)) {
        if (points === undefined || points.length === 0) continue;
        if (anchor === input.label) {
          notes.push(`anchor ${anchor} has the codec's name: shown as "${anchor} (anchor)"`);
        }
        const name = anchor === input.label ? `${anchor} (anchor)` : anchor;
        if (!series.includes(name)) series.push(name);
        curves.set(name, points);
      }
    }
    perClip.push({ panel: panelTitle(clip), curves });
  }
  const panels: Array<{ panel: string; curves: Map<string, readonly ChartPoint[]> }> = [];
  if (perClip.length > 1) {
    const mean = new Map<string, readonly ChartPoint[]>();
    for (const name of series) {
      const curves = perClip.map((p) => p.curves.get(name));
      const averaged = curves.every((c) => c !== undefined) ? meanCurve(curves) : null;
      if (averaged === null) {
        notes.push(
          `${name} is not in the mean: it was not measured at the same settings on every clip`,
        );
      } else {
        mean.set(name, averaged);
      }
    }
    panels.push({ panel: `mean over ${perClip.length} clips`, curves: mean });
  }
  panels.push(...perClip);

  const rows: RdRow[] = [];
  let dropped = 0;
  for (const { panel, curves } of panels) {
    for (const [name, points] of curves) {
      for (const point of points) {
        if (!(point.bitrate_kbps > 0) || !Number.isFinite(point.psnr_y_db)) {
          dropped += 1;
          continue;
        }
        rows.push({
          panel,
          series: name,
          role: name === input.label ? 'codec' : 'anchor',
          setting: point.setting,
          bitrate_kbps: point.bitrate_kbps,
          psnr_y_db: point.psnr_y_db,
        });
      }
    }
  }
  if (dropped > 0) {
    notes.push(`${dropped} point(s) at 0 kbit/s or with no PSNR are not drawn (log-scale axis)`);
  }
  return { rows, series, panels: panels.map((p) => p.panel), notes };
}

/** Colour-blind-safe categories (Tableau 10); the codec is always the first, red. */
const PALETTE = [
  '#e15759',
  '#4e79a7',
  '#59a14f',
  '#f28e2b',
  '#76b7b2',
  '#b07aa1',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#bab0ac',
];

export interface RdChartOptions {
  readonly title?: string;
  /** A second title line (shorter lines: Vega in Node sizes the chart from a rough text width). */
  readonly subtitle?: string;
  /** Panels per row (default 2). */
  readonly columns?: number;
  /** Size of one panel in pixels (default 320 × 240). */
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

/**
 * The Vega-Lite spec: PSNR-Y against bitrate on a log axis, one line with points per series,
 * one panel per clip (each with its own scales), gridlines, units in the axis titles, a
 * legend, and a tooltip with the setting and the values.
 */
export function rdChartSpec(data: RdChartData, options: RdChartOptions = {}): TopLevelSpec {
  const colours = data.series.map((_, i) => PALETTE[i % PALETTE.length]!);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title
      ? {
          title: {
            text: options.title,
            anchor: 'start',
            ...(options.subtitle ? { subtitle: options.subtitle } : {}),
          },
        }
      : {}),
    background: 'white',
    padding: 10,
    data: { values: data.rows as RdRow[] },
    facet: { field: 'panel', type: 'nominal', title: null, sort: [...data.panels] },
    columns: options.columns ?? 2,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: options.panelWidth ?? 320,
      height: options.panelHeight ?? 240,
      mark: { type: 'line', point: { filled: true, size: 36 }, clip: true },
      encoding: {
        x: {
          field: 'bitrate_kbps',
          type: 'quantitative',
          scale: { type: 'log', nice: false, padding: 8 },
          axis: { title: BITRATE_TITLE, grid: true, tickCount: 6, labelOverlap: true },
        },
        y: {
          field: 'psnr_y_db',
          type: 'quantitative',
          scale: { zero: false, nice: true, padding: 8 },
          axis: { title: PSNR_TITLE, grid: true, tickCount: 6 },
        },
        color: {
          field: 'series',
          type: 'nominal',
          scale: { domain: [...data.series], range: colours },
          legend: { title: 'codec and anchors', orient: 'bottom', direction: 'horizontal' },
        },
        strokeWidth: {
          field: 'role',
          type: 'nominal',
          sort: ['codec', 'anchor'],
          scale: { domain: ['codec', 'anchor'], range: [3, 1.5] },
          legend: null,
        },
        order: { field: 'bitrate_kbps', type: 'quantitative' },
        tooltip: [
          { field: 'series', type: 'nominal', title: 'codec' },
          { field: 'panel', type: 'nominal', title: 'clip' },
          { field: 'setting', type: 'nominal', title: 'setting' },
          {
            field: 'bitrate_kbps',
            type: 'quantitative',
            title: 'bitrate (kbit/s)',
            format: ',.1f',
          },
          { field: 'psnr_y_db', type: 'quantitative', title: 'PSNR-Y (dB)', format: '.2f' },
        ],
      },
    },
    config: {
      axis: { gridColor: '#e3e6eb', labelFontSize: 11, titleFontSize: 12 },
      header: { labelFontSize: 12, labelFontWeight: 'bold', labelLimit: 0 },
      legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 240 },
      font: 'DejaVu Sans, Verdana, sans-serif',
    },
  };
}
