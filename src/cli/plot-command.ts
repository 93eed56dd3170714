/**
 * `codec-lab plot`: the RD curves of a stored version (the newest by default) or of a codec file
 * (evaluated first, exactly as `evaluate` does, and stored), against every anchor cached on the
 * same clips, as SVG or PNG (docs/ARCHITECTURE.md §7.3).
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { listAnchors } from '../anchors/anchor-listing.js';
import { chartSvg, checkPngFont, svgToPng } from '../charts/render.js';
import type { Config } from '../config.js';
import { CodecLabError } from '../errors.js';
import { attemptRdChart, chooseVersion, type AttemptChart } from '../governance/rd-plot.js';
import type { Logger } from '../logger.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { StoredAttempt } from '../store/store.js';
import { evaluateCommand, type EvaluateCommandOptions } from './evaluate-command.js';

export type PlotSubject =
  | { readonly kind: 'version'; readonly version?: number | undefined }
  | {
      readonly kind: 'codec';
      readonly evaluate: Omit<EvaluateCommandOptions, 'json'>;
    };

export interface PlotCommandOptions {
  readonly subject: PlotSubject;
  /** Where to write; `.svg` or `.png`. Default: `rd_v<N>.svg` or `rd_<codec file name>.svg`. */
  readonly out?: string | undefined;
}

export type PlotFormat = 'svg' | 'png';

/** The format from the file name: only `.svg` and `.png` are written. */
export function plotFormat(out: string): PlotFormat {
  const ext = extname(out).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.png') return 'png';
  throw new CodecLabError(
    'USAGE',
    `--out must end in .svg or .png (got '${out}'): the format follows the file name`,
  );
}

function chartOf(
  attempt: StoredAttempt,
  label: string,
  anchors: Awaited<ReturnType<typeof listAnchors>>,
): AttemptChart {
  const chart = attemptRdChart(attempt, label, anchors);
  if (chart === null) {
    const why = attempt.ok
      ? 'it has no measured points'
      : `it failed at ${attempt.stage}${attempt.category ? ` (${attempt.category})` : ''}: ${attempt.failureMessage ?? ''}`;
    throw new CodecLabError(
      'USAGE',
      `attempt ${attempt.id} has no RD curve to plot: ${why}. Fix the codec (codec-lab evaluate shows why) and plot again`,
    );
  }
  return chart;
}

function readStore<T>(config: Config, read: (store: SqliteStore) => T): T {
  const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
  try {
    return read(store);
  } finally {
    store.close();
  }
}

export async function plotCommand(
  config: Config,
  options: PlotCommandOptions,
  log: Logger,
  out: (text: string) => void,
): Promise<void> {
  // Checked before anything is evaluated: a bad --out or a missing font fails in a second.
  if (options.out !== undefined && plotFormat(options.out) === 'png') checkPngFont();
  let attempt: StoredAttempt | null;
  let label: string;
  let defaultOut: string;
  if (options.subject.kind === 'codec') {
    const codecPath = options.subject.evaluate.codecPath;
    // The evaluation's own report goes to stderr: stdout says what was written.
    const attemptId = await evaluateCommand(
      config,
      { ...options.subject.evaluate, json: false },
      log,
      (text) => {
        process.stderr.write(`${text}\n`);
      },
    );
    attempt = readStore(config, (store) => store.attempt(attemptId));
    if (attempt === null) {
      throw new CodecLabError('STORE_FAILED', `attempt ${attemptId} is not in ${config.dataDir}`);
    }
    label = basename(codecPath);
    defaultOut = `rd_${basename(codecPath, extname(codecPath))}.svg`;
  } else {
    const { version } = options.subject;
    const chosen = readStore(config, (store) => chooseVersion(store, version));
    if (chosen === null) {
      throw new CodecLabError(
        'USAGE',
        `no version adopted yet in ${config.dataDir}: run codec-lab run, or plot a codec file (codec-lab plot my_codec.py)`,
      );
    }
    attempt = chosen.attempt;
    label = `v${chosen.version.version}`;
    defaultOut = `rd_${label}.svg`;
  }
  const chart = chartOf(attempt, label, await listAnchors(config.dataDir));
  const path = resolve(options.out ?? defaultOut);
  const svg = await chartSvg(chart.spec);
  await writeFile(path, plotFormat(path) === 'png' ? await svgToPng(svg) : svg);
  for (const note of chart.data.notes) process.stderr.write(`note: ${note}\n`);
  const anchors = chart.data.series.filter((name) => name !== label);
  out(
    `wrote ${path}: ${chart.title}; ${chart.data.panels.length} panel(s) (${chart.data.panels.join('; ')}); anchors: ${anchors.join(', ') || 'none'}`,
  );
}
