import { describe, expect, it } from 'vitest';

import { analyseFailures, type FailureAnalysis } from '../../src/governance/analysis.js';
import { recommend } from '../../src/governance/recommendations.js';
import { buildReport, type ReportInput } from '../../src/governance/report-builder.js';
import { renderReportMarkdown } from '../../src/governance/report-markdown.js';
import {
  REPORT_SCHEMA,
  type Effectiveness,
  type ReportRecommendation,
} from '../../src/governance/report.js';
import type { IncumbentVersion, StoreTotals, StoredAttempt } from '../../src/store/store.js';
import {
  DEADLINE,
  HOUR,
  MINUTE,
  T0,
  contract,
  defineFunction,
  failedRun,
  failedValidation,
  finding,
  importNotAllowed,
  stored,
} from './governance-fakes.js';

const NOW = T0 + 5 * HOUR;
const LIMITS = { timeoutS: 60, memoryMb: 2048 };

const TOTALS: StoreTotals = {
  attempts: 20,
  attemptsByOrigin: { run: 20, evaluate: 0 },
  successes: 4,
  failures: 16,
  screened: 0,
  duplicateBehaviours: 0,
  failuresByCategory: {},
  generationFailures: 0,
  firstAttemptAtMs: T0,
  firstSuccessAtMs: T0 + 90 * MINUTE,
  versions: 2,
  tuning: { attempts: 0, evaluations: 0, wallMs: 0 },
  cost: {
    dollars: 1.234,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  },
};

const NO_TOTALS: StoreTotals = {
  ...TOTALS,
  attempts: 0,
  successes: 0,
  failures: 0,
  firstAttemptAtMs: null,
  firstSuccessAtMs: null,
  versions: 0,
  cost: { ...TOTALS.cost, dollars: 0 },
};

const at = (minutes: number) => NOW - HOUR + minutes * MINUTE;
const osImport = (minutes: number) =>
  failedValidation([finding('forbidden_imports', importNotAllowed('os'), 1)], {
    createdAtMs: at(minutes),
  });
const timeout = (minutes: number) =>
  failedRun('timeouts', DEADLINE, { createdAtMs: at(minutes), stage: 'sweep' });
const missingEncoder = (minutes: number) =>
  failedValidation([finding('missing_function', defineFunction('compress_video_frame'))], {
    createdAtMs: at(minutes),
    code: 'def my_compress(frame, config):\n    pass\n',
  });

function incumbent(): IncumbentVersion {
  const attempt: StoredAttempt = stored({
    createdAtMs: T0 + 90 * MINUTE,
    version: 2,
    assessment: {
      bd_rate: { jpeg: -41.5, x264: 12.25, x265: null, vp9: 20, av1: null, incumbent: -3.5 },
      bd_rate_details: {
        jpeg: { mean_pct: -41.5, median_pct: -41.5, per_clip: [] },
        x264: { mean_pct: 12.25, median_pct: 12.25, per_clip: [] },
        x265: { mean_pct: null, median_pct: null, per_clip: [], reason: 'no overlap' },
        vp9: { mean_pct: 20, median_pct: 20, per_clip: [] },
        av1: { mean_pct: null, median_pct: null, per_clip: [], reason: 'no overlap' },
        incumbent: { mean_pct: -3.5, median_pct: -3.5, per_clip: [] },
      },
    },
  });
  return {
    version: 2,
    attemptId: attempt.id,
    adoptedAtMs: attempt.createdAtMs,
    codeSha256: attempt.codeSha256,
    decision: {
      adopt: true,
      summary: 'adopted',
      checks: [],
      meanDevBdRatePct: -3.5,
      requiredBdRatePct: -1,
    },
    attempt,
  };
}

function recommendationsOf(analysis: FailureAnalysis): ReportRecommendation[] {
  return analysis.patterns.map((pattern) =>
    recommend({ pattern, contract, limits: LIMITS, revision: 1 }),
  );
}

function input(attempts: StoredAttempt[], overrides: Partial<ReportInput> = {}): ReportInput {
  const analysis = analyseFailures(attempts, NOW, HOUR);
  const recommendations = recommendationsOf(analysis);
  return {
    nowMs: NOW,
    analysis: { ...analysis, recommendations },
    recommendations,
    dropped: new Set(),
    effectiveness: [],
    triggered: false,
    threshold: 5,
    lastSentAttemptId: null,
    totals: TOTALS,
    incumbent: null,
    ...overrides,
  };
}

const FAILING = [osImport(1), osImport(2), osImport(3), timeout(4), missingEncoder(5)];

describe('buildReport: system status', () => {
  it('no attempts at all', () => {
    const report = buildReport(input([], { totals: NO_TOTALS }));
    expect(report.system_status).toMatchObject({
      code_evolution_working: false,
      verdict: 'No attempts yet.',
      success_rate: null,
      time_to_first_success_ms: null,
      best_version: null,
      cost_usd: 0,
    });
    expect(report.schema).toBe(REPORT_SCHEMA);
    expect(report.generated_at).toBe(new Date(NOW).toISOString());
    expect(report.generated_at_ms).toBe(NOW);
  });

  it('none passing in the window names the most frequent category and cause', () => {
    const report = buildReport(input(FAILING));
    expect(report.system_status.code_evolution_working).toBe(false);
    expect(report.system_status.verdict).toBe(
      'None of the 5 attempts in the last hour passed; most frequent failure: forbidden_imports (3, imports the forbidden module os).',
    );
  });

  it('passing attempts in the window: working, with the versions adopted', () => {
    const report = buildReport(
      input([
        ...FAILING,
        stored({ createdAtMs: at(6), version: 3 }),
        stored({ createdAtMs: at(7) }),
      ]),
    );
    expect(report.system_status.code_evolution_working).toBe(true);
    expect(report.system_status.verdict).toBe(
      '2 of 7 attempts in the last hour passed every stage; 1 version(s) adopted.',
    );
  });

  it('an empty window reports the overall figures', () => {
    const report = buildReport(input([], { analysis: analyseFailures([], NOW, 2 * HOUR) }));
    expect(report.system_status).toMatchObject({
      code_evolution_working: true,
      verdict: 'No attempts in the last 2 hours; 4 of 20 attempts passed overall.',
    });
  });

  it('totals, time to first success and the incumbent BD-rates', () => {
    const best = incumbent();
    const report = buildReport(input(FAILING, { incumbent: best }));
    expect(report.system_status).toMatchObject({
      total_attempts: 20,
      successes: 4,
      failures: 16,
      success_rate: 0.2,
      versions: 2,
      time_to_first_success_ms: 90 * MINUTE,
      cost_usd: 1.234,
    });
    expect(report.system_status.best_version).toEqual({
      version: 2,
      attempt_id: best.attemptId,
      bd_rate_vs_jpeg_pct: -41.5,
      bd_rate_vs_x264_pct: 12.25,
      bd_rate_vs_x265_pct: null,
      bd_rate_vs_vp9_pct: 20,
      bd_rate_vs_av1_pct: null,
    });
  });

  it('the failure analysis is the window analysis with the recommendations, without the failed list', () => {
    const report = buildReport(input(FAILING));
    expect(report.failure_analysis.failures).toBe(5);
    expect(report.failure_analysis.counts).toEqual({
      forbidden_imports: 3,
      timeouts: 1,
      missing_function: 1,
    });
    expect(report.failure_analysis.recommendations.map((r) => r.issue)).toEqual([
      'forbidden_imports',
      'missing_function',
      'timeouts',
    ]);
    expect('failed' in report.failure_analysis).toBe(false);
  });
});

describe('buildReport: improved prompt and action items', () => {
  it('not triggered: no prompt text; action items are open', () => {
    const report = buildReport(input(FAILING, { triggered: false }));
    expect(report.improved_prompt).toEqual({
      triggered: false,
      threshold: 5,
      text: '',
      last_sent_attempt_id: null,
    });
    expect(report.action_items.every((item) => item.status === 'open')).toBe(true);
  });

  it('triggered: the text carries every active recommendation with its reference', () => {
    const base = input(FAILING, { triggered: true, lastSentAttemptId: '42' });
    const report = buildReport(base);
    for (const r of base.recommendations) {
      expect(report.improved_prompt.text).toContain(r.fix);
      expect(report.improved_prompt.text).toContain(`[ref ${r.key}#r${r.revision}]`);
    }
    expect(report.improved_prompt.last_sent_attempt_id).toBe('42');
    expect(report.action_items.every((item) => item.status === 'in_prompt')).toBe(true);
  });

  it('a dropped recommendation leaves the prompt and becomes a dropped action item', () => {
    const base = input(FAILING, { triggered: true, dropped: new Set(['timeouts']) });
    const report = buildReport(base);
    const timeouts = base.recommendations.find((r) => r.key === 'timeouts');
    expect(timeouts).toBeDefined();
    expect(report.improved_prompt.text).not.toContain(timeouts?.fix ?? '');
    expect(report.improved_prompt.text).not.toContain('[ref timeouts#');
    const item = report.action_items.find((i) => i.recommendation_key === 'timeouts');
    expect(item?.status).toBe('dropped');
  });

  it('only dropped recommendations: no prompt text even when triggered', () => {
    const base = input([timeout(1)], { triggered: true, dropped: new Set(['timeouts']) });
    expect(buildReport(base).improved_prompt.text).toBe('');
  });

  it('action items are sorted by severity, then count, and numbered from 1', () => {
    const attempts = [
      timeout(1),
      timeout(2),
      timeout(3),
      timeout(4), // medium ×4
      osImport(5), // high ×1
      missingEncoder(6), // critical ×1
      failedRun('runtime_errors', 'ValueError: x', { createdAtMs: at(7) }),
      failedRun('runtime_errors', 'ValueError: x', { createdAtMs: at(8) }), // high ×2
    ];
    const items = buildReport(input(attempts)).action_items;
    expect(items.map((i) => [i.priority, i.severity, i.recommendation_key])).toEqual([
      [1, 'critical', 'missing_function'],
      [2, 'high', 'runtime_errors'],
      [3, 'high', 'forbidden_imports'],
      [4, 'medium', 'timeouts'],
    ]);
    expect(items[3]?.title).toMatch(/^timeouts \(4×\): Each run \(one clip at one quality\)/);
  });

  it('a recommendation that helped and whose failures are gone is a resolved item', () => {
    const helped: Effectiveness = {
      key: 'syntax_errors',
      issue: 'syntax_errors',
      in_prompt_since_ms: T0,
      before: { attempts: 4, failures: 4, rate: 1 },
      after: { attempts: 4, failures: 0, rate: 0 },
      verdict: 'helped',
      revisions: [{ revision: 1, after: { attempts: 4, failures: 0, rate: 0 }, verdict: 'helped' }],
      action: 'keep',
      explanation: 'fell',
    };
    const noEffect: Effectiveness = {
      ...helped,
      key: 'crashes',
      issue: 'crashes',
      verdict: 'no_effect',
    };
    const report = buildReport(input([timeout(1)], { effectiveness: [helped, noEffect] }));
    expect(report.action_items.map((i) => [i.status, i.recommendation_key])).toEqual([
      ['open', 'timeouts'],
      ['resolved', 'syntax_errors'],
    ]);
    expect(report.effectiveness).toEqual([helped, noEffect]);
  });
});

describe('renderReportMarkdown', () => {
  const report = buildReport(
    input(
      [
        ...FAILING,
        failedRun('runtime_errors', 'ValueError: bad `rm -rf /` value', {
          createdAtMs: at(9),
          failureLine: 4,
        }),
      ],
      {
        triggered: true,
        incumbent: incumbent(),
        effectiveness: [
          {
            key: 'timeouts',
            issue: 'timeouts',
            in_prompt_since_ms: T0,
            before: { attempts: 3, failures: 1, rate: 1 / 3 },
            after: { attempts: 1, failures: 1, rate: 1 },
            verdict: 'too_early',
            revisions: [
              { revision: 1, after: { attempts: 1, failures: 1, rate: 1 }, verdict: 'too_early' },
            ],
            action: 'keep',
            explanation: 'too early to tell',
          },
        ],
      },
    ),
  );
  const markdown = renderReportMarkdown(report);
  const lines = markdown.split('\n');

  it('has every section heading', () => {
    for (const heading of [
      '## System status',
      '## Failure analysis',
      '## Improved prompt',
      '## Action items',
      '## Effectiveness of recommendations',
    ]) {
      expect(lines.some((line) => line.startsWith(heading))).toBe(true);
    }
  });

  it('shows the figures of the report', () => {
    expect(markdown).toContain('Code evolution working: **no**.');
    expect(markdown).toContain('- Attempts: 20 (4 passed, 16 failed; success rate 20.0 %)');
    expect(markdown).toContain(
      'BD-rate vs JPEG -41.5 %, vs x264 +12.3 %, vs x265 n/a, vs VP9 +20.0 %, vs AV1 n/a',
    );
    expect(markdown).toContain('Time to first success: 1.5 h; API cost: $1.23');
    expect(markdown).toContain(
      '| forbidden_imports | 3 | 0 | new | imports the forbidden module os (3) |',
    );
    expect(markdown).toContain('| timeouts | too_early | keep | too early to tell |');
    expect(markdown).toContain('Triggered (6 failures > 5)');
    expect(markdown).toContain(report.improved_prompt.text);
  });

  it('puts LLM-written messages in code spans with the backticks neutralised', () => {
    const sample = lines.find((line) => line.startsWith('- attempt'));
    expect(sample).toBe(
      `- attempt ${report.failure_analysis.sample_errors[0]?.attempt_id} (runtime_errors at smoke, line 4): \`ValueError: bad 'rm -rf /' value\``,
    );
  });

  it('codec-written text cannot add lines, headings or table rows, nor close the prompt block', () => {
    const hostile = 'ValueError: x\n## Injected heading\n| a | b |\n```\n# Out of the fence';
    const hostileReport = buildReport(
      input(
        [
          failedRun('runtime_errors', hostile, { createdAtMs: at(1), failureLine: 2 }),
          failedRun('runtime_errors', hostile, { createdAtMs: at(2), failureLine: 2 }),
        ],
        { triggered: true },
      ),
    );
    const rendered = renderReportMarkdown(hostileReport).split('\n');
    // The prompt block is fenced with more backticks than the text holds: only its end closes it.
    const open = rendered.findIndex((line) => /^`{3,}text$/.test(line));
    const fence = rendered[open]?.replace('text', '') ?? '';
    expect(fence.length).toBeGreaterThan(3);
    const close = rendered.indexOf(fence, open + 1);
    expect(rendered.slice(open + 1, close).join('\n')).toBe(hostileReport.improved_prompt.text);
    const outside = [...rendered.slice(0, open), ...rendered.slice(close + 1)];
    expect(outside.filter((line) => /Injected|Out of the fence/.test(line)).length).toBeGreaterThan(
      0,
    );
    expect(outside.filter((line) => /^#+ (Injected|Out of the fence)/.test(line))).toEqual([]);
    expect(outside.filter((line) => /^\| a \| b \|/.test(line))).toEqual([]);
    expect(outside.filter((line) => line.startsWith('| runtime_errors |'))).toHaveLength(1);
    expect(outside.filter((line) => /^`{3}/.test(line))).toEqual([]);
  });

  it('not triggered: says so, and carries no prompt block', () => {
    const quiet = renderReportMarkdown(buildReport(input(FAILING)));
    expect(quiet).toContain('Not triggered (5 failures, threshold 5)');
    expect(quiet).not.toContain('```text');
  });

  it('a report of an empty store renders without tables', () => {
    const empty = renderReportMarkdown(buildReport(input([], { totals: NO_TOTALS })));
    expect(empty).toContain('No attempts yet.');
    expect(empty).not.toContain('| category |');
    expect(empty).not.toContain('## Action items');
    expect(empty.endsWith('\n')).toBe(true);
  });
});
