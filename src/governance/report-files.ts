/**
 * Reports on disk: `self_governance_report_<ts>.json` in the data directory, written
 * atomically, never rewritten. The newest one by name is "the latest report".
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { ReportSink } from './governor.js';
import { renderReportMarkdown, type ReportPlot } from './report-markdown.js';
import { REPORT_FILE_PATTERN, REPORT_SCHEMA, type GovernanceReport } from './report.js';

/** `20261126T021500123Z`: sortable, and safe in a file name. */
export function reportStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

export function reportFileName(report: GovernanceReport): string {
  return `self_governance_report_${reportStamp(report.generated_at_ms)}.json`;
}

/** Writes the report and returns its path. Two reports in the same millisecond: the second wins. */
export async function writeReport(dataDir: string, report: GovernanceReport): Promise<string> {
  const path = join(dataDir, reportFileName(report));
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** Report file names, oldest first. */
export function reportFiles(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => REPORT_FILE_PATTERN.test(name)).sort();
}

/** The newest readable report, or null when there is none. A corrupt file is skipped, not trusted. */
export function latestReport(dataDir: string): { path: string; report: GovernanceReport } | null {
  const names = reportFiles(dataDir);
  for (let i = names.length - 1; i >= 0; i -= 1) {
    const path = join(dataDir, names[i] ?? '');
    try {
      const value = JSON.parse(readFileSync(path, 'utf8')) as { schema?: unknown };
      if (value.schema === REPORT_SCHEMA) return { path, report: value as GovernanceReport };
    } catch {
      // A partly written file cannot exist (atomic writes); a hand-edited broken one is skipped.
    }
  }
  return null;
}

/** The best version's RD chart as SVG, or null when no version was adopted yet. */
export type ReportPlotSource = () => Promise<{
  readonly svg: string;
  readonly caption: string;
  readonly notes: readonly string[];
} | null>;

/**
 * Reports as files: the JSON (the interface) and its Markdown rendering next to it, which
 * embeds the best version's RD chart, written beside it as `<report>_rd.svg`. A chart that
 * cannot be drawn does not cost the report: the Markdown says why there is none.
 */
export class FileReportSink implements ReportSink {
  constructor(
    private readonly dataDir: string,
    private readonly plot?: ReportPlotSource,
  ) {}

  async write(report: GovernanceReport): Promise<string> {
    const path = await writeReport(this.dataDir, report);
    let plot: ReportPlot | undefined;
    if (this.plot !== undefined) {
      try {
        const chart = await this.plot();
        if (chart !== null) {
          const svgPath = path.replace(/\.json$/, '_rd.svg');
          await writeFileAtomic(svgPath, chart.svg);
          plot = { ok: true, file: basename(svgPath), caption: chart.caption, notes: chart.notes };
        }
      } catch (error) {
        plot = { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    }
    await writeFileAtomic(path.replace(/\.json$/, '.md'), renderReportMarkdown(report, plot));
    return path;
  }
}
