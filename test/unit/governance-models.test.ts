/** The self-debugger's analysis split by model, and a recommendation that targets one model. */
import { describe, expect, it } from 'vitest';

import { analyseFailures } from '../../src/governance/analysis.js';
import { DEFAULT_GOVERNANCE, Governor } from '../../src/governance/governor.js';
import { modelBreakdown, standoutModel } from '../../src/governance/model-breakdown.js';
import { renderReportMarkdown } from '../../src/governance/report-markdown.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { StoredAttempt } from '../../src/store/store.js';
import { HOUR, MINUTE, T0, contract, failedRun, stored } from './governance-fakes.js';

const NOW = T0 + HOUR;
const at = (minute: number) => ({ createdAtMs: NOW - HOUR + minute * MINUTE });
const bySmall = { member: 'small', model: 'qwen-7b' };
const byBig = { member: 'big', model: 'claude-sonnet-4-5' };
const crash = (minute: number, who: Partial<StoredAttempt>) =>
  failedRun('runtime_errors', 'ZeroDivisionError: division by zero', { ...at(minute), ...who });

/** `small` fails with runtime errors 4 times in 5; `big` once in 5; both time out once. */
function window(): StoredAttempt[] {
  return [
    crash(1, bySmall),
    crash(2, bySmall),
    crash(3, bySmall),
    crash(4, bySmall),
    stored({ ...at(5), ...bySmall }),
    crash(6, byBig),
    stored({ ...at(7), ...byBig }),
    stored({ ...at(8), ...byBig }),
    stored({ ...at(9), ...byBig }),
    failedRun('timeouts', 'took too long', { ...at(10), ...byBig }),
    failedRun('timeouts', 'took too long', { ...at(11), ...bySmall }),
    failedRun('runtime_errors', 'x', { ...at(12), generator: 'autofix', model: 'autofix' }),
  ];
}

describe('failure analysis by model', () => {
  it('counts each model’s attempts, failures and categories in the window', () => {
    const analysis = analyseFailures(window(), NOW, HOUR);
    expect(analysis.by_model).toEqual([
      {
        model: 'small',
        attempts: 6,
        failures: 5,
        failure_rate: 5 / 6,
        counts: { runtime_errors: 4, timeouts: 1 },
      },
      {
        model: 'big',
        attempts: 5,
        failures: 2,
        failure_rate: 2 / 5,
        counts: { runtime_errors: 1, timeouts: 1 },
      },
    ]);
  });

  it('names the model whose rate in a category stands out, and none when rates are alike', () => {
    const byModel = modelBreakdown(window());
    expect(standoutModel(byModel, 'runtime_errors')).toEqual({
      model: 'small',
      failures: 4,
      attempts: 6,
      othersFailures: 1,
      othersAttempts: 5,
    });
    expect(standoutModel(byModel, 'timeouts')).toBeNull();
    // One model only: nothing to compare with.
    expect(standoutModel(byModel.slice(0, 1), 'runtime_errors')).toBeNull();
  });

  it('a recommendation targets the standout model (report JSON and markdown)', () => {
    const store = new MemoryStore(() => NOW);
    for (const { id: _id, ok: _ok, version: _v, ...attempt } of window()) {
      store.recordAttempt(attempt);
    }
    const governor = new Governor({
      store,
      contract,
      limits: { timeoutS: 60, memoryMb: 2048 },
      settings: DEFAULT_GOVERNANCE,
    });
    const { report } = governor.assess(NOW);
    const runtime = report.failure_analysis.recommendations.find(
      (r) => r.issue === 'runtime_errors',
    );
    const timeouts = report.failure_analysis.recommendations.find((r) => r.issue === 'timeouts');
    expect(runtime?.model).toBe('small');
    expect(runtime?.description).toContain(
      'Mostly from model small: 4 of its 6 attempts, against 1 of 5 for the other models.',
    );
    expect(timeouts?.model).toBeUndefined();
    expect(renderReportMarkdown(report)).toContain('**[high] runtime_errors** (model small) (6×');
  });
});
