/**
 * Assembles the self-governance report from the analysis, the recommendations and their
 * effectiveness, and the store's totals. Pure.
 */
import { DEFAULT_PROMPT_LIMITS, recommendationSection } from '../prompt/prompt-builder.js';
import type { IncumbentVersion, StoreTotals } from '../store/store.js';
import type { FailureAnalysis } from './analysis.js';
import { forPrompt } from './recommendations.js';
import {
  REPORT_SCHEMA,
  type ActionItem,
  type Effectiveness,
  type GovernanceReport,
  type ReportRecommendation,
} from './report.js';

export interface ReportInput {
  readonly nowMs: number;
  readonly analysis: FailureAnalysis;
  /** Every recommendation of the window, at the revision the next prompt would carry. */
  readonly recommendations: readonly ReportRecommendation[];
  /** Keys of recommendations dropped as not helping. */
  readonly dropped: ReadonlySet<string>;
  readonly effectiveness: readonly Effectiveness[];
  readonly triggered: boolean;
  readonly threshold: number;
  readonly lastSentAttemptId: string | null;
  readonly totals: StoreTotals;
  readonly incumbent: IncumbentVersion | null;
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

function lookbackText(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  return `${Math.round(ms / 1000)} s`;
}

function verdict(input: ReportInput): { working: boolean; verdict: string } {
  const { analysis, totals } = input;
  const span = `the last ${lookbackText(analysis.window.lookback_ms)}`;
  if (totals.attempts === 0) return { working: false, verdict: 'No attempts yet.' };
  if (analysis.attempts === 0) {
    return {
      working: totals.successes > 0,
      verdict: `No attempts in ${span}; ${totals.successes} of ${totals.attempts} attempts passed overall.`,
    };
  }
  const passed = analysis.attempts - analysis.failures;
  const adopted =
    analysis.versions_adopted > 0 ? `; ${analysis.versions_adopted} version(s) adopted` : '';
  if (passed > 0) {
    return {
      working: true,
      verdict: `${passed} of ${analysis.attempts} attempts in ${span} passed every stage${adopted}.`,
    };
  }
  const top = analysis.patterns[0];
  const cause = top?.causes[0]?.label;
  return {
    working: false,
    verdict:
      `None of the ${analysis.attempts} attempts in ${span} passed` +
      (top
        ? `; most frequent failure: ${top.category} (${top.count}${cause ? `, ${cause}` : ''})`
        : '') +
      '.',
  };
}

function actionItems(input: ReportInput): ActionItem[] {
  const items: Omit<ActionItem, 'priority'>[] = input.recommendations
    .slice()
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count)
    .map((recommendation) => ({
      severity: recommendation.severity,
      title: `${recommendation.issue} (${recommendation.count}×): ${recommendation.fix.split('\n')[0] ?? ''}`,
      status: input.dropped.has(recommendation.key)
        ? 'dropped'
        : input.triggered
          ? 'in_prompt'
          : 'open',
      recommendation_key: recommendation.key,
    }));
  const current = new Set(input.recommendations.map((r) => r.key));
  for (const entry of input.effectiveness) {
    if (current.has(entry.key) || entry.verdict !== 'helped') continue;
    items.push({
      severity: 'low',
      title: `${entry.issue}: no failures in the window since the recommendation (${entry.explanation})`,
      status: 'resolved',
      recommendation_key: entry.key,
    });
  }
  return items.map((item, index) => ({ priority: index + 1, ...item }));
}

export function buildReport(input: ReportInput): GovernanceReport {
  const { analysis, totals, incumbent } = input;
  const status = verdict(input);
  const bd = incumbent?.attempt.assessment?.bd_rate;
  const active = input.recommendations.filter((r) => !input.dropped.has(r.key));
  const { failed: _failed, ...failureAnalysis } = analysis;
  return {
    schema: REPORT_SCHEMA,
    generated_at: new Date(input.nowMs).toISOString(),
    generated_at_ms: input.nowMs,
    system_status: {
      code_evolution_working: status.working,
      verdict: status.verdict,
      total_attempts: totals.attempts,
      successes: totals.successes,
      failures: totals.failures,
      success_rate: totals.attempts === 0 ? null : totals.successes / totals.attempts,
      versions: totals.versions,
      best_version:
        incumbent === null
          ? null
          : {
              version: incumbent.version,
              attempt_id: incumbent.attemptId,
              bd_rate_vs_jpeg_pct: bd?.jpeg ?? null,
              bd_rate_vs_x264_pct: bd?.x264 ?? null,
              bd_rate_vs_x265_pct: bd?.x265 ?? null,
              bd_rate_vs_vp9_pct: bd?.vp9 ?? null,
              bd_rate_vs_av1_pct: bd?.av1 ?? null,
            },
      time_to_first_success_ms:
        totals.firstAttemptAtMs === null || totals.firstSuccessAtMs === null
          ? null
          : totals.firstSuccessAtMs - totals.firstAttemptAtMs,
      cost_usd: totals.cost.dollars,
    },
    failure_analysis: { ...failureAnalysis, recommendations: input.recommendations },
    improved_prompt: {
      triggered: input.triggered,
      threshold: input.threshold,
      text:
        input.triggered && active.length > 0
          ? recommendationSection(active.map(forPrompt), DEFAULT_PROMPT_LIMITS)
          : '',
      last_sent_attempt_id: input.lastSentAttemptId,
    },
    action_items: actionItems(input),
    effectiveness: input.effectiveness,
  };
}
