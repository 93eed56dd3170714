/**
 * The self-governance report as Markdown, for people (`codec-lab report` prints it and writes
 * it next to the JSON). Every figure comes from the report object. Pure.
 */
import type { GovernanceReport } from './report.js';

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`;
}

function bd(value: number | null): string {
  return value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

function duration(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Text from attempts (LLM-written) is put in code spans, with backticks neutralised. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ').slice(0, 300)}\``;
}

/**
 * Text that may quote an attempt (cause labels, descriptions, fixes, verdicts) stays on its
 * line: a codec's exception message must not start a heading, a table row or a code block.
 */
function inline(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A fence longer than any backtick run in the text, so only its own end closes it. */
function fenced(text: string, info: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, text, fence];
}

/** The RD chart of the best version, written next to the report (report-files.ts). */
export type ReportPlot =
  | {
      readonly ok: true;
      /** The SVG's file name, in the report's directory. */
      readonly file: string;
      readonly caption: string;
      /** What the chart leaves out and why. */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

function plotSection(plot: ReportPlot): string[] {
  const lines = ['', '## Rate–distortion of the best version', ''];
  if (!plot.ok) return [...lines, `No chart: ${inline(plot.reason)}`];
  lines.push(`![${inline(plot.caption).replace(/[[\]]/g, '')}](${plot.file})`);
  if (plot.notes.length > 0) lines.push('', ...plot.notes.map((note) => `- ${inline(note)}`));
  return lines;
}

export function renderReportMarkdown(report: GovernanceReport, plot?: ReportPlot): string {
  const status = report.system_status;
  const analysis = report.failure_analysis;
  const lines: string[] = [
    `# Self-governance report, ${report.generated_at}`,
    '',
    '## System status',
    '',
    `- Code evolution working: **${status.code_evolution_working ? 'yes' : 'no'}**. ${inline(status.verdict)}`,
    `- Attempts: ${status.total_attempts} (${status.successes} passed, ${status.failures} failed; success rate ${pct(status.success_rate)})`,
    `- Versions adopted: ${status.versions}` +
      (status.best_version
        ? `; best v${status.best_version.version} (attempt ${status.best_version.attempt_id}), BD-rate vs JPEG ${bd(status.best_version.bd_rate_vs_jpeg_pct)}, vs x264 ${bd(status.best_version.bd_rate_vs_x264_pct)}, vs x265 ${bd(status.best_version.bd_rate_vs_x265_pct)}, vs VP9 ${bd(status.best_version.bd_rate_vs_vp9_pct)}, vs AV1 ${bd(status.best_version.bd_rate_vs_av1_pct)}`
        : ''),
    `- Time to first success: ${duration(status.time_to_first_success_ms)}; API cost: $${status.cost_usd.toFixed(2)}`,
  ];
  if (plot !== undefined) lines.push(...plotSection(plot));
  lines.push(
    '',
    `## Failure analysis (window: ${duration(analysis.window.lookback_ms)} up to ${new Date(analysis.window.until_ms).toISOString()})`,
    '',
    `${analysis.attempts} attempts, ${analysis.failures} failed, success rate ${pct(analysis.success_rate)}, ${analysis.versions_adopted} adopted.` +
      (analysis.truncated === true
        ? ' (More attempts than the analysis reads: the figures cover the newest 2000; use a shorter --lookback.)'
        : ''),
  );
  if (analysis.patterns.length > 0) {
    lines.push(
      '',
      '| category | count | previous window | trend | most frequent causes |',
      '|---|---|---|---|---|',
    );
    for (const pattern of analysis.patterns) {
      const causes = pattern.causes
        .map((cause) => `${inline(cause.label)} (${cause.count})`)
        .join('; ');
      lines.push(
        `| ${pattern.category} | ${pattern.count} | ${pattern.previous_count} | ${pattern.trend} | ${causes.replace(/\|/g, '\\|')} |`,
      );
    }
  }
  if (analysis.recommendations.length > 0) {
    lines.push('', '### Recommendations', '');
    for (const r of analysis.recommendations) {
      lines.push(
        `- **[${r.severity}] ${r.issue}**${r.model === undefined ? '' : ` (model ${inline(r.model)})`} (${r.count}×, revision ${r.revision}${r.auto_fixable ? ', auto-fixable' : ''}): ${inline(r.description)}`,
        `  Fix: ${inline(r.fix.split('\n')[0] ?? '')}`,
      );
    }
  }
  if (analysis.sample_errors.length > 0) {
    lines.push('', '### Sample errors', '');
    for (const sample of analysis.sample_errors) {
      lines.push(
        `- attempt ${sample.attempt_id} (${sample.category} at ${sample.stage}${sample.line === null ? '' : `, line ${sample.line}`}): ${code(sample.message)}`,
      );
    }
  }
  const prompt = report.improved_prompt;
  lines.push(
    '',
    '## Improved prompt',
    '',
    prompt.triggered
      ? `Triggered (${analysis.failures} failures > ${prompt.threshold}): the next prompts carry the recommendations below.` +
          (prompt.last_sent_attempt_id === null
            ? ''
            : ` Last sent with attempt ${prompt.last_sent_attempt_id}.`)
      : `Not triggered (${analysis.failures} failures, threshold ${prompt.threshold}); repairs of failed attempts still carry their own recommendation.`,
  );
  if (prompt.text !== '') lines.push('', ...fenced(prompt.text, 'text'));
  if (report.action_items.length > 0) {
    lines.push('', '## Action items', '');
    for (const item of report.action_items) {
      lines.push(
        `${item.priority}. [${item.status}] [${item.severity}] ${inline(item.title.split('\n')[0] ?? '')}`,
      );
    }
  }
  if (report.effectiveness.length > 0) {
    lines.push(
      '',
      '## Effectiveness of recommendations',
      '',
      '| recommendation | verdict | action | figures |',
      '|---|---|---|---|',
    );
    for (const entry of report.effectiveness) {
      lines.push(`| ${entry.key} | ${entry.verdict} | ${entry.action} | ${entry.explanation} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
