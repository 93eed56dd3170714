/**
 * The Store contract for who wrote each attempt (the ensemble member) and the per-model
 * outcomes the ensemble's policies and figures read: part of storeContract.
 */
import { expect, it } from 'vitest';

import type { Store } from '../../src/store/store.js';
import { ADOPT, failed, record } from './store-contract.js';

export function modelOutcomesContract(current: () => Store): void {
  it('keeps the member that wrote an attempt, null outside an ensemble', () => {
    const store = current();
    const plain = store.recordAttempt(record('m0\n'));
    const member = store.recordAttempt(record('m1\n', { member: 'fast', model: 'claude-fast' }));
    expect(plain.member).toBeNull();
    expect(store.attempt(member.id)).toEqual(member);
    expect(member).toMatchObject({ member: 'fast', model: 'claude-fast' });
  });

  it('answers per-attempt outcomes: member, repairs of a category, adoption gains, cost', () => {
    const store = current();
    const usage = { inputTokens: 100, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const first = store.recordAttempt(
      record('o1\n', { member: 'a', model: 'ma', usage: { ...usage, costUsd: 0.5 } }),
    );
    store.adopt(first.id, { ...ADOPT, meanDevBdRatePct: null });
    const broken = store.recordAttempt(
      failed('o2\n', 'sweep', 'runtime_errors', { member: 'b', model: 'mb' }),
    );
    const repair = store.recordAttempt(
      record('o3\n', { member: 'a', model: 'ma', parentId: broken.id }),
    );
    store.adopt(repair.id, { ...ADOPT, meanDevBdRatePct: -3.5 });
    store.recordAttempt(record('o4\n', { origin: 'evaluate', member: null }));
    const outcomes = store.modelOutcomes();
    expect(outcomes.map((o) => o.attemptId)).toEqual([first.id, broken.id, repair.id]);
    expect(outcomes[0]).toMatchObject({
      member: 'a',
      model: 'ma',
      ok: true,
      adopted: true,
      gainPts: 0,
      costUsd: 0.5,
      inputTokens: 100,
      outputTokens: 40,
      repairOf: null,
    });
    expect(outcomes[1]).toMatchObject({ member: 'b', ok: false, category: 'runtime_errors' });
    expect(outcomes[2]).toMatchObject({ repairOf: 'runtime_errors', adopted: true, gainPts: 3.5 });
  });
}
