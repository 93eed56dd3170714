import { describe, expect, it } from 'vitest';
import { stopReason, type LoopProgress } from '../../src/loop/stop-policy.js';

const RUNNING: LoopProgress = {
  aborted: false,
  stopRequested: false,
  iterations: 3,
  nowMs: 1_000,
  attempts: 10,
  dollars: 1.5,
};

describe('stopReason', () => {
  it('keeps going while no limit is reached', () => {
    expect(stopReason({}, RUNNING)).toBeNull();
    expect(
      stopReason({ iterations: 4, untilMs: 1_001, maxAttempts: 11, maxDollars: 2 }, RUNNING),
    ).toBeNull();
  });

  it('names each limit when it is reached', () => {
    expect(stopReason({ iterations: 3 }, RUNNING)).toBe('3 iterations done');
    expect(stopReason({ untilMs: 1_000 }, RUNNING)).toBe('time budget reached');
    expect(stopReason({ maxAttempts: 10 }, RUNNING)).toBe('10 attempts in the store');
    expect(stopReason({ maxDollars: 1.25 }, RUNNING)).toBe('API cost reached $1.50');
  });

  it('reports a signal first, then an admin stop, then the limits in order', () => {
    const all = { iterations: 1, untilMs: 0, maxAttempts: 1, maxDollars: 0.1 };
    expect(stopReason(all, { ...RUNNING, aborted: true, stopRequested: true })).toBe(
      'asked to stop',
    );
    expect(stopReason(all, { ...RUNNING, stopRequested: true })).toBe('stopped by an admin');
    expect(stopReason(all, RUNNING)).toBe('1 iterations done');
    expect(stopReason({ ...all, iterations: 9 }, RUNNING)).toBe('time budget reached');
    expect(stopReason({ maxAttempts: 1, maxDollars: 0.1 }, RUNNING)).toBe(
      '1 attempts in the store',
    );
  });
});
