/** The self-debugger reads every attempt in the store, `evaluate`'s as well as the loop's. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE, Governor } from '../../src/governance/governor.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { failedRun, HOUR, MINUTE, T0, contract } from './governance-fakes.js';

describe('Governor over attempts of both origins', () => {
  it("counts evaluate's failures in the analysis, next to the loop's", () => {
    const now = T0 + HOUR;
    const store = new MemoryStore(() => now);
    const record = (origin: 'run' | 'evaluate', minute: number) => {
      // ignoreRestSiblings: what the store assigns is dropped, the record is kept.
      const { id, ok, version, ...attempt } = failedRun(
        'runtime_errors',
        'ZeroDivisionError: division by zero',
        { origin, createdAtMs: T0 + minute * MINUTE },
      );
      return store.recordAttempt(attempt);
    };
    const fromRun = record('run', 30);
    const fromFile = record('evaluate', 40);
    const governor = new Governor({
      store,
      contract,
      limits: { timeoutS: 60, memoryMb: 2048 },
      settings: DEFAULT_GOVERNANCE,
    });
    const analysis = governor.assess(now).report.failure_analysis;
    expect(analysis.failures).toBe(2);
    expect(analysis.counts).toMatchObject({ runtime_errors: 2 });
    expect(analysis.sample_errors.map((sample) => sample.attempt_id).sort()).toEqual(
      [fromRun.id, fromFile.id].sort(),
    );
  });
});
