/**
 * The RD chart of `codec-lab plot`, the reports and the dashboard: the data it draws (every
 * anchor measured on the clip, whatever their names, the mean over clips) and the SVG Vega
 * renders from the spec, read back as XML: one curve per anchor plus the codec in every panel,
 * axis titles with units, a legend; and the PNG resvg makes of it.
 */
import { describe, expect, it } from 'vitest';
import {
  BITRATE_TITLE,
  PSNR_TITLE,
  rdChartData,
  rdChartSpec,
  type ChartAnchorClip,
  type ChartCodecClip,
  type ChartPoint,
} from '../../src/charts/rd-chart.js';
import { chartSvg, svgToPng } from '../../src/charts/render.js';
import { timelineChartSpec } from '../../src/charts/timeline-chart.js';
import { isCodecLabError } from '../../src/errors.js';
import { findAll, parseXml, textOf, type XmlElement } from './svg-tree.js';

const geometry = { width: 160, height: 120, frames: 12, fps: 30 };

function curve(prefix: string, shiftDb: number, rateFactor = 1): ChartPoint[] {
  return [0, 1, 2, 3, 4].map((step) => ({
    setting: `${prefix} ${step}`,
    bitrate_kbps: 100 * 2 ** step * rateFactor,
    psnr_y_db: 30 + 3 * step + shiftDb,
  }));
}

const codecClips: ChartCodecClip[] = ['tree', 'vtest'].map((clip, i) => ({
  clip,
  ...geometry,
  points: curve('q', i),
}));

/** Anchor names the chart has never heard of are drawn like the others. */
const ANCHORS = ['jpeg', 'x264', 'x265', 'av1', 'vp9'] as const;
const anchorClips: ChartAnchorClip[] = codecClips.map((c, i) => ({
  clip: c.clip,
  ...geometry,
  anchors: Object.fromEntries(
    ANCHORS.map((name, k) => [name, curve('crf', k - 2 + i, 1 + k / 10)]),
  ),
}));

/** `key: value; key: value` (Vega's aria-label of a mark) to an object. */
function ariaFields(element: XmlElement): Record<string, string> {
  const label = element.attributes['aria-label'] ?? '';
  return Object.fromEntries(
    label.split('; ').map((part) => {
      const at = part.indexOf(': ');
      return [part.slice(0, at), part.slice(at + 2)];
    }),
  );
}

describe('rdChartData', () => {
  it('draws the codec and every anchor on each clip, and the mean over clips', () => {
    const data = rdChartData({ label: 'v3', clips: codecClips, anchors: anchorClips });
    expect(data.series).toEqual(['v3', ...ANCHORS]);
    expect(data.panels).toEqual([
      'mean over 2 clips',
      'tree (160x120, 12 frames @ 30 fps)',
      'vtest (160x120, 12 frames @ 30 fps)',
    ]);
    expect(data.notes).toEqual([]);
    // The mean of a series is the mean bitrate and PSNR of the clips' points at each setting.
    const mean = data.rows.filter((r) => r.panel === 'mean over 2 clips' && r.series === 'v3');
    expect(mean.map((r) => r.psnr_y_db)).toEqual([30.5, 33.5, 36.5, 39.5, 42.5]);
    expect(mean.map((r) => r.setting)).toEqual(['q 0', 'q 1', 'q 2', 'q 3', 'q 4']);
    const av1 = data.rows.filter((r) => r.panel === 'mean over 2 clips' && r.series === 'av1');
    expect(av1[0]).toMatchObject({ role: 'anchor', bitrate_kbps: 130, psnr_y_db: 31.5 });
  });

  it('says which anchors are missing instead of drawing another clip’s', () => {
    const elsewhere = anchorClips.map((a) => ({ ...a, frames: 30 }));
    const data = rdChartData({ label: 'v1', clips: codecClips.slice(0, 1), anchors: elsewhere });
    expect(data.series).toEqual(['v1']);
    expect(data.notes.join('\n')).toContain('no anchor measured on tree (160x120, 12 frames');
  });

  it('leaves out of the mean a series not measured at the same settings everywhere', () => {
    const partial = [anchorClips[0]!, { ...anchorClips[1]!, anchors: { jpeg: curve('crf', 1) } }];
    const data = rdChartData({ label: 'v1', clips: codecClips, anchors: partial });
    const meanSeries = new Set(
      data.rows.filter((r) => r.panel.startsWith('mean')).map((r) => r.series),
    );
    expect([...meanSeries].sort()).toEqual(['jpeg', 'v1']);
    expect(data.notes).toContain(
      'x264 is not in the mean: it was not measured at the same settings on every clip',
    );
  });

  it('cannot draw 0 kbit/s on a log axis, and says so', () => {
    const zero = [
      {
        ...codecClips[0]!,
        points: [{ setting: 'q 0', bitrate_kbps: 0, psnr_y_db: 9 }, ...curve('q', 0)],
      },
    ];
    const data = rdChartData({ label: 'v1', clips: zero, anchors: [] });
    expect(data.rows.every((r) => r.bitrate_kbps > 0)).toBe(true);
    expect(data.notes.at(-1)).toContain('1 point(s) at 0 kbit/s');
  });
});

describe('the RD chart as SVG', () => {
  it('is read by an XML reader that refuses what is not well-formed', () => {
    expect(() => parseXml('<svg><g></svg></g>')).toThrow(/closes/);
    expect(() => parseXml('<svg a=1/>')).toThrow(/bad attribute/);
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow(/repeated/);
    expect(() => parseXml('<svg>a & b</svg>')).toThrow(/bare &/);
    expect(() => parseXml('<svg/><svg/>')).toThrow(/more than one root/);
    expect(() => parseXml('<svg><g>')).toThrow(/never closed/);
    expect(textOf(parseXml('<svg><text>a &amp; b</text></svg>'))).toBe('a & b');
  });

  it('is well-formed SVG with one curve per anchor plus the codec in every panel, axis titles with units and a legend', async () => {
    const data = rdChartData({ label: 'v3', clips: codecClips, anchors: anchorClips });
    const svg = await chartSvg(rdChartSpec(data, { title: 'v3 against the anchors' }));
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.attributes.width)).toBeGreaterThan(400);

    const lines = findAll(root, (e) => e.attributes['aria-roledescription'] === 'line mark');
    const byPanel = new Map<string, string[]>();
    for (const line of lines) {
      const fields = ariaFields(line);
      byPanel.set(fields.clip!, [...(byPanel.get(fields.clip!) ?? []), fields.codec!]);
      expect(line.attributes.d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){4}$/);
    }
    expect([...byPanel.keys()]).toEqual(data.panels);
    for (const series of byPanel.values()) expect(series.sort()).toEqual(['v3', ...ANCHORS].sort());

    const texts = findAll(root, (e) => e.name === 'text').map(textOf);
    expect(texts.filter((t) => t === BITRATE_TITLE)).toHaveLength(data.panels.length);
    expect(texts.filter((t) => t === PSNR_TITLE)).toHaveLength(data.panels.length);
    expect(BITRATE_TITLE).toContain('kbit/s');
    expect(PSNR_TITLE).toContain('dB');
    // Ticks with values on both axes of every panel, and gridlines.
    expect(texts.filter((t) => /^\d[\d,]*$/.test(t)).length).toBeGreaterThan(
      data.panels.length * 6,
    );
    const grid = findAll(root, (e) => (e.attributes.class ?? '').includes('role-axis-grid'));
    expect(grid.length).toBe(data.panels.length * 2);

    const legend = findAll(root, (e) => (e.attributes.class ?? '').includes('role-legend-label'));
    expect(legend.flatMap((g) => findAll(g, (e) => e.name === 'text').map(textOf))).toEqual([
      'v3',
      ...ANCHORS,
    ]);
    expect(texts).toContain('v3 against the anchors');
  });

  it('renders to a PNG with its labels, and refuses without a font', async () => {
    const data = rdChartData({ label: 'v3', clips: codecClips, anchors: anchorClips });
    const svg = await chartSvg(rdChartSpec(data));
    const png = await svgToPng(svg, { scale: 1 });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    const width = png.readUInt32BE(16);
    expect(width).toBe(Math.ceil(Number(parseXml(svg).attributes.width)));
    // Text is drawn: the same chart without its text layer is a smaller file.
    const noText = await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''), { scale: 1 });
    expect(png.length).toBeGreaterThan(noText.length * 1.1);

    const error: unknown = await svgToPng(svg, { fontFile: '/nonexistent/font.ttf' }).catch(
      (caught: unknown) => caught,
    );
    expect(isCodecLabError(error, 'FONT_MISSING')).toBe(true);
    expect((error as Error).message).toContain('fonts-dejavu-core');
  });
});

describe('the timeline chart', () => {
  it('stacks successes and failures per slice, with the success rate', async () => {
    const slices = [
      {
        start: '2026-01-01T00:00:00.000Z',
        end: '2026-01-01T00:10:00.000Z',
        attempts: 3,
        successes: 2,
        failures: 1,
        success_rate: 2 / 3,
      },
      {
        start: '2026-01-01T00:10:00.000Z',
        end: '2026-01-01T00:20:00.000Z',
        attempts: 0,
        successes: 0,
        failures: 0,
        success_rate: null,
      },
      {
        start: '2026-01-01T00:20:00.000Z',
        end: '2026-01-01T00:30:00.000Z',
        attempts: 4,
        successes: 1,
        failures: 3,
        success_rate: 0.25,
      },
    ];
    const spec = { ...timelineChartSpec(slices), width: 600 } as Parameters<typeof chartSvg>[0];
    const root = parseXml(await chartSvg(spec));
    const rects = findAll(root, (e) => e.attributes['aria-roledescription'] === 'rect mark').map(
      ariaFields,
    );
    const sum = (outcome: string) =>
      rects.filter((r) => r.outcome === outcome).reduce((s, r) => s + Number(r.attempts), 0);
    expect(sum('succeeded')).toBe(3);
    expect(sum('failed')).toBe(4);
    const rate = findAll(root, (e) => e.attributes['aria-roledescription'] === 'line mark');
    expect(rate).toHaveLength(1);
    const texts = findAll(root, (e) => e.name === 'text').map(textOf);
    expect(texts).toEqual(
      expect.arrayContaining(['attempts per slice', 'success rate', 'time (local)']),
    );
  });
});
