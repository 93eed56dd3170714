/**
 * Charts to files (docs/ARCHITECTURE.md §7.3): a Vega-Lite spec compiled and rendered to SVG by
 * Vega in Node (the same libraries the dashboard serves to the browser), and SVG to PNG by
 * resvg with a font from the system.
 */
import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { CodecLabError } from '../errors.js';

/** DejaVu Sans, from Debian's fonts-dejavu-core (scripts/setup.sh installs it). */
export const CHART_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const CHART_FONT_FAMILY = 'DejaVu Sans';

// The libraries are loaded when a chart is drawn, not by every command that imports this.
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Throws FONT_MISSING, naming the package, when PNG labels could not be drawn. */
export function checkPngFont(fontFile = CHART_FONT_FILE): void {
  if (!existsSync(fontFile)) {
    throw new CodecLabError(
      'FONT_MISSING',
      `a PNG needs the font ${fontFile} for its labels: install Debian's fonts-dejavu-core (apt-get install fonts-dejavu-core; scripts/setup.sh does), or write SVG (--out rd.svg)`,
    );
  }
}

/**
 * A PNG of the SVG at `scale` × its size. Without the font every label would silently be
 * missing, so a missing font is an error that names the package.
 */
export async function svgToPng(
  svg: string,
  options: { scale?: number; fontFile?: string } = {},
): Promise<Buffer> {
  const fontFile = options.fontFile ?? CHART_FONT_FILE;
  checkPngFont(fontFile);
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    font: {
      fontFiles: [fontFile],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}
