/**
 * The self-debugger: reads the attempt store, analyses the failures of the lookback window,
 * writes recommendations, judges whether earlier ones helped, and hands the loop the
 * recommendations its next prompt carries — when the window's failures pass the trigger, and
 * always for the repair of a failed attempt. Everything it concludes is derived from the store
 * (the prompts stored with the attempts say what was really sent), so a restart loses nothing.
 */
import { DEFAULT_GOVERNANCE as CONFIG_DEFAULT_GOVERNANCE } from '../config.js';
import type { CodecContract } from '../contract.js';
import type { Logger } from '../logger.js';
import type { Recommendation } from '../prompt/prompt-builder.js';
import { MAX_PAGE_SIZE, type Store, type StoreTotals, type StoredAttempt } from '../store/store.js';
import { analyseFailures, topCauses } from './analysis.js';
import { describeStandout, standoutModel } from './model-breakdown.js';
import { categoriesOf } from './causes.js';
import { judgeRecommendations, referencesIn, type RecommendationState } from './effectiveness.js';
import { MAX_REVISION, forPrompt, recommend, type SandboxLimits } from './recommendations.js';
import type { GovernanceReport, ReportRecommendation } from './report.js';
import { buildReport } from './report-builder.js';

export interface GovernanceSettings {
  /** The analysis window (the seed's lookback_hours=1). */
  readonly lookbackMs: number;
  /** Recommendations go into every prompt once the window holds more failures than this. */
  readonly triggerFailures: number;
  /** Repair attempts of one failed candidate before the search returns to its parent. */
  readonly maxRepairs: number;
  /** A report is written when the recommendations change, and at least this often. */
  readonly reportIntervalMs: number;
}

/** Defined once, with the settings' parsing (config.ts). */
export const DEFAULT_GOVERNANCE: GovernanceSettings = CONFIG_DEFAULT_GOVERNANCE;

/** Where reports go: files in the data directory (report-files.ts), or memory in tests. */
export interface ReportSink {
  write(report: GovernanceReport): Promise<string>;
}

/**
 * How far back effectiveness looks for prompts that carried a recommendation: judgements
 * (revisions, drops) older than this are forgotten, and a recommendation starts again at
 * revision 1.
 */
const EFFECTIVENESS_HORIZON_MS = 7 * 24 * 3_600_000;
const MAX_JUDGED_ATTEMPTS = 2 * MAX_PAGE_SIZE;

export interface Governance {
  readonly nowMs: number;
  readonly triggered: boolean;
  /** Recommendations of the window at the revision the next prompt carries (dropped ones too). */
  readonly recommendations: readonly ReportRecommendation[];
  readonly dropped: ReadonlySet<string>;
  readonly report: GovernanceReport;
}

export interface GovernorDependencies {
  readonly store: Store;
  readonly contract: CodecContract;
  readonly limits: SandboxLimits;
  readonly settings: GovernanceSettings;
  readonly reports?: ReportSink;
  readonly log?: Logger;
}

export class Governor {
  private lastReportAtMs: number | null = null;
  private lastSignature = '';
  /** The last assessment, reused while neither the clock nor the store moved. */
  private memo: { key: string; governance: Governance } | null = null;

  constructor(private readonly deps: GovernorDependencies) {}

  get settings(): GovernanceSettings {
    return this.deps.settings;
  }

  /** The whole analysis at `nowMs`. */
  assess(nowMs: number): Governance {
    const { store } = this.deps;
    const totals = store.totals();
    const key = `${nowMs}|${totals.attempts}|${totals.versions}`;
    if (this.memo?.key === key) return this.memo.governance;
    const governance = this.compute(nowMs, totals);
    this.memo = { key, governance };
    return governance;
  }

  private compute(nowMs: number, totals: StoreTotals): Governance {
    const { store, settings } = this.deps;
    const window = this.fetch({ sinceMs: nowMs - 2 * settings.lookbackMs }, nowMs);
    const analysis = {
      ...analyseFailures(window.attempts, nowMs, settings.lookbackMs),
      truncated: window.truncated,
    };
    const { attempts: prompted } = this.fetch(
      { sinceMs: nowMs - EFFECTIVENESS_HORIZON_MS, prompted: true },
      nowMs,
    );
    // The baseline before a recommendation's first prompt is read from the store itself.
    const states = judgeRecommendations(
      prompted,
      settings.lookbackMs,
      (sinceMs) =>
        this.fetch({ sinceMs: sinceMs - settings.lookbackMs, prompted: true }, sinceMs - 1)
          .attempts,
    );
    const dropped = new Set<string>();
    const recommendations = analysis.patterns.map((pattern) => {
      const state = states.get(pattern.category);
      if (state !== undefined && state.revision === null) dropped.add(pattern.category);
      const recommendation = recommend({
        pattern,
        contract: this.deps.contract,
        limits: this.deps.limits,
        revision: revisionOf(state),
      });
      const standout = standoutModel(analysis.by_model, pattern.category);
      return standout === null
        ? recommendation
        : {
            ...recommendation,
            model: standout.model,
            description: `${recommendation.description} ${describeStandout(standout)}`,
          };
    });
    // A failed mechanical fix repeats its parent's mistake: it does not count towards the trigger.
    const triggered =
      analysis.failed.filter((attempt) => attempt.generator !== 'autofix').length >
      settings.triggerFailures;
    // fetch() returns the newest first.
    const lastSent = prompted.find((attempt) => referencesIn(attempt.prompt).size > 0);
    const report = buildReport({
      nowMs,
      analysis: { ...analysis, recommendations },
      recommendations,
      dropped,
      effectiveness: [...states.values()].map((state) => state.effectiveness),
      triggered,
      threshold: settings.triggerFailures,
      lastSentAttemptId: lastSent?.id ?? null,
      totals,
      incumbent: store.incumbent(),
    });
    return { nowMs, triggered, recommendations, dropped, report };
  }

  /** What the next prompt carries: the active recommendations once the trigger fired, else none. */
  recommendations(nowMs: number): Recommendation[] {
    const governance = this.assess(nowMs);
    return active(governance).map(forPrompt);
  }

  /**
   * The recommendations for repairing one failed attempt: one per category it shows (its own,
   * and those its validator findings name), at the revision the window's judgement chose;
   * dropped ones are left out.
   */
  repairRecommendations(attempt: StoredAttempt, nowMs: number): Recommendation[] {
    const governance = this.assess(nowMs);
    return categoriesOf(attempt).flatMap((category) => {
      const fromWindow = governance.recommendations.find((r) => r.issue === category);
      if (fromWindow !== undefined) {
        return governance.dropped.has(fromWindow.key) ? [] : [forPrompt(fromWindow)];
      }
      const own = recommend({
        pattern: { category, count: 1, causes: topCauses([attempt], undefined, category) },
        contract: this.deps.contract,
        limits: this.deps.limits,
        revision: 1,
      });
      return [forPrompt(own)];
    });
  }

  /**
   * Writes a report when the window's recommendations, the trigger or the versions changed
   * since the last one, or when the report interval passed. Returns the path written, or null.
   */
  async maybeReport(nowMs: number): Promise<string | null> {
    if (this.deps.reports === undefined) return null;
    const governance = this.assess(nowMs);
    // A new failure pattern, a revision, the trigger or a new version: worth a report.
    const signature = JSON.stringify([
      governance.triggered,
      governance.recommendations.map((r) => `${r.key}#${r.revision}`).sort(),
      [...governance.dropped].sort(),
      governance.report.system_status.versions,
    ]);
    const due =
      this.lastReportAtMs === null ||
      nowMs - this.lastReportAtMs >= this.deps.settings.reportIntervalMs;
    if (signature === this.lastSignature && !due) return null;
    const path = await this.deps.reports.write(governance.report);
    this.lastSignature = signature;
    this.lastReportAtMs = nowMs;
    const { failure_analysis: analysis } = governance.report;
    this.deps.log?.info(
      {
        component: 'governance',
        path,
        triggered: governance.triggered,
        failures: analysis.failures,
        counts: analysis.counts,
        recommendations: active(governance).map((r) => `${r.issue}: ${r.fix.split('\n')[0] ?? ''}`),
      },
      'self-governance report written',
    );
    return path;
  }

  /** Attempts in [sinceMs, nowMs], newest first, at most MAX_JUDGED_ATTEMPTS (then `truncated`). */
  private fetch(
    filter: { sinceMs: number; prompted?: boolean },
    nowMs: number,
  ): { attempts: StoredAttempt[]; truncated: boolean } {
    const found: StoredAttempt[] = [];
    let total = 0;
    // Newest first, so a cap keeps the most recent attempts.
    for (let offset = 0; found.length < MAX_JUDGED_ATTEMPTS; offset += MAX_PAGE_SIZE) {
      const page = this.deps.store.attempts({
        ...filter,
        untilMs: nowMs + 1,
        order: 'desc',
        limit: MAX_PAGE_SIZE,
        offset,
      });
      total = page.total;
      found.push(...page.attempts);
      if (page.attempts.length < MAX_PAGE_SIZE) break;
    }
    return { attempts: found, truncated: total > found.length };
  }
}

function revisionOf(state: RecommendationState | undefined): number {
  if (state === undefined) return 1;
  // A dropped recommendation keeps its last revision in the report.
  return state.revision ?? MAX_REVISION;
}

function active(governance: Governance): ReportRecommendation[] {
  if (!governance.triggered) return [];
  return governance.recommendations.filter((r) => !governance.dropped.has(r.key));
}
