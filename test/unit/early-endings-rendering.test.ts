/**
 * Early endings as people and the model see them: screened out is "worse, stopped early", a
 * behavioural duplicate is "no behavioural change"; neither is an error.
 */
import { describe, expect, it } from 'vitest';

import { renderStatus, statusJson } from '../../src/cli/status-command.js';
import { loadContract } from '../../src/contract.js';
import { analyseFailures } from '../../src/governance/analysis.js';
import type { AttemptSummary } from '../../src/generators/generator.js';
import { attemptSummary } from '../../src/loop/context.js';
import { buildPrompt } from '../../src/prompt/prompt-builder.js';
import { attemptSummaryJson, attemptDetailJson } from '../../src/server/attempt-json.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { SCREENED_OUT } from './store-contract-early.js';
import { failed, record, T0 } from './store-contract.js';

function storeWithEndings(): { store: MemoryStore; ids: string[] } {
  let clock = T0;
  const store = new MemoryStore(() => (clock += 10));
  const first = store.recordAttempt(record('a\n', { behaviourSha256: 'a'.repeat(64) }));
  const screened = store.recordAttempt(
    record('b\n', {
      stage: 'screen',
      screening: SCREENED_OUT,
      failureMessage: SCREENED_OUT.reason,
      assessment: null,
    }),
  );
  const twin = store.recordAttempt(
    record('c\n', {
      stage: 'duplicate_behaviour',
      behaviourSha256: 'a'.repeat(64),
      duplicateOf: first.id,
      metrics: null,
      assessment: null,
    }),
  );
  const broken = store.recordAttempt(failed('d\n', 'sweep', 'timeouts'));
  return { store, ids: [first.id, screened.id, twin.id, broken.id] };
}

describe('the prompt', () => {
  const { store, ids } = storeWithEndings();
  const recent = ids.map((id) => attemptSummary(store.attempt(id)!));
  const prompt = (attempts: readonly AttemptSummary[]): string =>
    buildPrompt({
      contract: loadContract(),
      iteration: 9,
      incumbent: recent[0]!,
      parent: recent[0]!,
      recent: attempts,
    }).user;

  it('shows a screened attempt as worse, stopped early, and a duplicate as no change', () => {
    const text = prompt(recent);
    expect(text).toContain(
      `| ${ids[1]} | worse, stopped early at screening (BD-rate +23.5 % on clip foreman, margin +15 %) |`,
    );
    expect(text).toContain(
      `| ${ids[2]} | no behavioural change (same output as attempt ${ids[0]}) |`,
    );
  });

  it('lists neither among the failures', () => {
    const failures = prompt(recent).split('## Recent failures')[1] ?? '';
    expect(failures).toContain(`### Attempt ${ids[3]}: failed at sweep: timeouts`);
    expect(failures).not.toContain(`Attempt ${ids[1]}`);
    expect(failures).not.toContain(`Attempt ${ids[2]}`);
  });

  it('tells the model its last edit changed nothing, only when the newest attempt is a duplicate', () => {
    const [first, screened, twin] = recent;
    const last = prompt([first!, screened!, twin!]);
    expect(last).toContain('## Your last edit changed nothing');
    expect(last).toContain(
      `Attempt ${ids[2]} wrote the same bitstreams and decoded the same frames as attempt ${ids[0]}`,
    );
    expect(prompt(recent)).not.toContain('## Your last edit changed nothing');
  });
});

describe('status', () => {
  it('counts early endings as ok and names them, in JSON and text', () => {
    const { store } = storeWithEndings();
    const status = statusJson(store);
    expect(status).toMatchObject({
      attempts: 4,
      successes: 3,
      failures: 1,
      screened: 1,
      duplicate_behaviours: 1,
      failures_by_category: { timeouts: 1 },
    });
    const text = renderStatus(status, 'no run');
    expect(text).toContain('attempts 4: 3 ok, 1 failed');
    expect(text).toContain(
      'stopped early (ok, not errors): 1 screened out (worse, stopped early), 1 without behavioural change',
    );
  });
});

describe('the API', () => {
  it('marks how an attempt ended early, with the pointer and the screening record', () => {
    const { store, ids } = storeWithEndings();
    const [first, screened, twin, broken] = ids.map((id) => store.attempt(id)!);
    expect(attemptSummaryJson(first!)).toMatchObject({ ended_early: null, duplicate_of: null });
    expect(attemptSummaryJson(screened!)).toMatchObject({ ok: true, ended_early: 'screen' });
    expect(attemptSummaryJson(twin!)).toMatchObject({
      ok: true,
      ended_early: 'duplicate_behaviour',
      duplicate_of: ids[0],
    });
    expect(attemptSummaryJson(broken!).ended_early).toBeNull();
    expect(attemptDetailJson(screened!).screening).toEqual(SCREENED_OUT);
    expect(attemptDetailJson(twin!).behaviour_sha256).toBe('a'.repeat(64));
  });
});

describe('the self-debugger', () => {
  it('counts neither a screened-out attempt nor a behavioural duplicate as an error', () => {
    const { store } = storeWithEndings();
    const attempts = store.attempts({ limit: 10, offset: 0, order: 'asc' }).attempts;
    const analysis = analyseFailures(attempts, T0 + 1000, 3_600_000);
    expect(analysis).toMatchObject({ attempts: 4, failures: 1, counts: { timeouts: 1 } });
    expect(analysis.patterns.map((p) => p.category)).toEqual(['timeouts']);
    expect(store.recentFailures(0).map((a) => a.stage)).toEqual(['sweep']);
  });
});
