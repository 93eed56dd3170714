/**
 * The Store contract for the cascade's early endings (screened out, behavioural duplicate) and
 * the behavioural fingerprint: part of storeContract, so both stores keep them alike.
 */
import { expect, it } from 'vitest';

import type { ScreeningRecord } from '../../src/evaluation/screening.js';
import type { TuningRecord } from '../../src/evaluation/tune-stage.js';
import type { Store } from '../../src/store/store.js';
import { failed, record } from './store-contract.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

export const SCREENED_OUT: ScreeningRecord = {
  clip: 'foreman',
  qualities: [0.1, 0.5, 0.9],
  marginPct: 15,
  incumbentAttemptId: '1700000000000',
  bdRatePct: 23.5,
  verdict: 'screened_out',
  reason: 'worse than the incumbent on screening clip foreman: BD-rate +23.5 %',
  choice: {
    clip: 'foreman',
    rule: 'fallback_first_clip',
    detail: '0 past full comparison(s)',
    samples: 0,
    meanAbsErrorPct: null,
  },
};

/** A tune stage's record (§3.7), as an attempt stores it. */
export const TUNED: TuningRecord = {
  params: { q_scale: 1.5, block: 8 },
  defaults: { q_scale: 4, block: 4 },
  default_bd_rate: 12.5,
  tuned_bd_rate: -3,
  evaluations: 12,
  wall_ms: 4200,
  seed: 1,
  proxy: { clips: ['foreman'], frames: 4, qualities: [0.1, 0.3, 0.7, 0.9], reference: 'jpeg' },
  trials: [{ params: { q_scale: 4, block: 4 }, bd_rate: 12.5 }],
};

export function earlyEndingsContract(current: () => Store): void {
  it('round-trips the params and the tuning record (null in attempts without them)', () => {
    const store = current();
    const tuned = store.recordAttempt(record('t\n', { params: TUNED.params, tuning: TUNED }));
    const given = store.recordAttempt(record('g\n', { params: { q_scale: 2 } }));
    const old = store.recordAttempt(record('o\n'));
    expect(store.attempt(tuned.id)).toEqual(tuned);
    expect(store.attempt(tuned.id)).toMatchObject({ params: TUNED.params, tuning: TUNED });
    expect(store.attempt(given.id)).toMatchObject({ params: { q_scale: 2 }, tuning: null });
    expect(store.attempt(old.id)).toMatchObject({ params: null, tuning: null });
    // status reports what tuning cost
    expect(store.totals().tuning).toEqual({ attempts: 1, evaluations: 12, wallMs: 4200 });
  });

  it('round-trips the fingerprint, the screening record and the duplicate pointer', () => {
    const store = current();
    const first = store.recordAttempt(record('a\n', { behaviourSha256: SHA_A }));
    const screened = store.recordAttempt(
      record('b\n', {
        stage: 'screen',
        behaviourSha256: SHA_B,
        screening: SCREENED_OUT,
        failureMessage: SCREENED_OUT.reason,
        assessment: null,
      }),
    );
    const twin = store.recordAttempt(
      record('c\n', {
        stage: 'duplicate_behaviour',
        behaviourSha256: SHA_A,
        duplicateOf: first.id,
        metrics: null,
        assessment: null,
      }),
    );
    const old = store.recordAttempt(record('d\n'));
    for (const attempt of [first, screened, twin, old]) {
      expect(store.attempt(attempt.id)).toEqual(attempt);
    }
    expect(screened).toMatchObject({ ok: true, stage: 'screen', category: null });
    expect(store.attempt(screened.id)?.screening).toEqual(SCREENED_OUT);
    expect(twin).toMatchObject({ ok: true, duplicateOf: first.id, behaviourSha256: SHA_A });
    expect(old).toMatchObject({ behaviourSha256: null, duplicateOf: null, screening: null });
  });

  it('finds the earliest attempt with a behaviour, failed or not', () => {
    const store = current();
    expect(store.hasBehaviour(SHA_A)).toBeNull();
    const first = store.recordAttempt(
      failed('a\n', 'sweep', 'runtime_errors', { behaviourSha256: SHA_A }),
    );
    store.recordAttempt(record('b\n', { behaviourSha256: SHA_A }));
    expect(store.hasBehaviour(SHA_A)).toBe(first.id);
    expect(store.hasBehaviour(SHA_B)).toBeNull();
  });

  it('counts early endings as passing, apart, and never as failures or the first success', () => {
    const store = current();
    const twin = store.recordAttempt(
      record('a\n', { stage: 'duplicate_behaviour', duplicateOf: '1700000000001', metrics: null }),
    );
    store.recordAttempt(record('b\n', { stage: 'screen', screening: SCREENED_OUT }));
    expect(store.totals()).toMatchObject({
      attempts: 2,
      successes: 2,
      failures: 0,
      screened: 1,
      duplicateBehaviours: 1,
      firstSuccessAtMs: null,
    });
    expect(store.recentFailures(0)).toEqual([]);
    expect(store.attempts({ limit: 5, offset: 0, stage: 'screen' }).total).toBe(1);
    expect(store.attempts({ limit: 5, offset: 0, ok: false }).total).toBe(0);
    expect(twin.ok).toBe(true);
  });

  it('refuses early endings that contradict themselves', () => {
    const store = current();
    const screen = { stage: 'screen' as const };
    expect(() => store.recordAttempt(record('a\n', screen))).toThrow(/screened_out/);
    expect(() =>
      store.recordAttempt(record('a\n', { stage: 'duplicate_behaviour', duplicateOf: null })),
    ).toThrow(/duplicateOf/);
    expect(() => store.recordAttempt(record('a\n', { duplicateOf: '1700000000001' }))).toThrow(
      /duplicateOf/,
    );
    expect(() =>
      store.recordAttempt(
        record('a\n', { stage: 'duplicate_behaviour', duplicateOf: '1', category: 'other' }),
      ),
    ).toThrow(/no category/);
    expect(store.totals().attempts).toBe(0);
  });
}
