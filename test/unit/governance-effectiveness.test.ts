import { describe, expect, it } from 'vitest';

import type { FailureCategory } from '../../src/evaluation/failure.js';
import {
  MIN_ATTEMPTS_AFTER,
  judgeRecommendations,
  referencesIn,
} from '../../src/governance/effectiveness.js';
import { MAX_REVISION, forPrompt, recommend } from '../../src/governance/recommendations.js';
import { buildPrompt, type Recommendation } from '../../src/prompt/prompt-builder.js';
import type { StoredAttempt } from '../../src/store/store.js';
import {
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

const LIMITS = { timeoutS: 60, memoryMb: 2048 };

/** The recommendation as the governor hands it to the prompt builder. */
function recommendation(category: FailureCategory, revision: number): Recommendation {
  return forPrompt(
    recommend({
      pattern: { category, count: 3, causes: [] },
      contract,
      limits: LIMITS,
      revision,
    }),
  );
}

/** The prompt really built with these recommendations (so rendering and parsing must agree). */
function prompt(recommendations: readonly Recommendation[]) {
  return buildPrompt({
    contract,
    iteration: 3,
    incumbent: null,
    parent: null,
    recent: [],
    recommendations,
  });
}

const PLAIN = prompt([]);

/** A generated attempt at T0 + minutes, failing with `category` or passing (null). */
function sent(
  minutes: number,
  category: FailureCategory | null,
  recommendations: readonly Recommendation[] = [],
): StoredAttempt {
  const overrides = { createdAtMs: T0 + minutes * MINUTE, prompt: prompt(recommendations) };
  if (category === null) return stored(overrides);
  if (category === 'forbidden_imports') {
    return failedValidation([finding(category, importNotAllowed('os'), 1)], overrides);
  }
  return failedRun(category, `${category} failure`, overrides);
}

const times = (n: number, from: number, make: (minutes: number) => StoredAttempt) =>
  Array.from({ length: n }, (_, i) => make(from + i));

describe('referencesIn', () => {
  it('reads back the key and revision of every recommendation the prompt builder rendered', () => {
    const built = prompt([
      recommendation('forbidden_imports', 2),
      recommendation('timeouts', 1),
      { issue: 'runtime_errors', fix: 'a hand-written fix', severity: 'high' },
    ]);
    expect(built.user).toContain('[ref forbidden_imports#r2]');
    expect(referencesIn(built)).toEqual(
      new Map([
        ['forbidden_imports', 2],
        ['timeouts', 1],
      ]),
    );
  });

  it('a key with a cause, and the highest revision when a key appears twice', () => {
    const built = prompt([
      { ...recommendation('forbidden_imports', 1), key: 'forbidden_imports:module:os' },
      {
        ...recommendation('forbidden_imports', 1),
        key: 'forbidden_imports:module:os',
        revision: 3,
      },
    ]);
    expect(referencesIn(built)).toEqual(new Map([['forbidden_imports:module:os', 3]]));
  });

  it('a prompt without recommendations has no references', () => {
    expect(referencesIn(PLAIN).size).toBe(0);
    expect(referencesIn(null)).toEqual(new Map());
  });

  it('codec text quoting a reference does not count: only the stored references do', () => {
    const forged = 'raise ValueError("[ref missing_function#r3]")';
    const built = prompt([
      {
        ...recommendation('runtime_errors', 1),
        description: `ValueError at line 3: ${forged}`,
      },
    ]);
    expect(built.user).not.toContain('[ref missing_function#r3]');
    expect(referencesIn({ ...built, user: `${built.user}\n${forged}\n` })).toEqual(
      new Map([['runtime_errors', 1]]),
    );
  });
});

describe('judgeRecommendations', () => {
  const imports1 = [recommendation('forbidden_imports', 1)];

  it('too early with fewer than MIN_ATTEMPTS_AFTER attempts carrying it', () => {
    const attempts = [
      ...times(4, 0, (m) => sent(m, 'forbidden_imports')),
      ...times(MIN_ATTEMPTS_AFTER - 1, 10, (m) => sent(m, 'forbidden_imports', imports1)),
    ];
    const state = judgeRecommendations(attempts, HOUR).get('forbidden_imports');
    expect(state?.revision).toBe(1);
    expect(state?.effectiveness).toMatchObject({
      key: 'forbidden_imports',
      issue: 'forbidden_imports',
      in_prompt_since_ms: T0 + 10 * MINUTE,
      verdict: 'too_early',
      action: 'keep',
      after: { attempts: MIN_ATTEMPTS_AFTER - 1, failures: MIN_ATTEMPTS_AFTER - 1, rate: 1 },
    });
  });

  it('too early when nothing was sent in the lookback before it', () => {
    const attempts = times(5, 0, (m) => sent(m, 'forbidden_imports', imports1));
    const state = judgeRecommendations(attempts, HOUR).get('forbidden_imports');
    expect(state?.effectiveness.verdict).toBe('too_early');
    expect(state?.effectiveness.before).toEqual({ attempts: 0, failures: 0, rate: null });
  });

  it('helped when the rate fell: kept at the same revision', () => {
    const attempts = [
      ...times(4, 0, (m) => sent(m, 'forbidden_imports')), // 4/4 before
      sent(10, 'forbidden_imports', imports1),
      ...times(3, 11, (m) => sent(m, null, imports1)), // 1/4 after
    ];
    const state = judgeRecommendations(attempts, HOUR).get('forbidden_imports');
    expect(state?.revision).toBe(1);
    expect(state?.effectiveness).toMatchObject({
      verdict: 'helped',
      action: 'keep',
      before: { attempts: 4, failures: 4, rate: 1 },
      after: { attempts: 4, failures: 1, rate: 0.25 },
    });
    expect(state?.effectiveness.explanation).toBe(
      'before 100% (4/4), after revision 1 25% (1/4): forbidden_imports failures fell; kept.',
    );
  });

  it('no effect: revised to the next revision', () => {
    const attempts = [
      sent(0, 'forbidden_imports'),
      sent(1, null),
      sent(10, 'forbidden_imports', imports1),
      ...times(3, 11, (m) => sent(m, m === 11 ? 'forbidden_imports' : null, imports1)),
    ];
    // before 1/2, after 2/4
    const state = judgeRecommendations(attempts, HOUR).get('forbidden_imports');
    expect(state?.revision).toBe(2);
    expect(state?.effectiveness.verdict).toBe('no_effect');
    expect(state?.effectiveness.action).toBe('revise');
    expect(state?.effectiveness.explanation).toContain('revised to revision 2');
  });

  it('worse: revised too', () => {
    const attempts = [
      ...times(3, 0, (m) => sent(m, null)),
      ...times(3, 10, (m) => sent(m, 'timeouts', [recommendation('timeouts', 2)])),
    ];
    const state = judgeRecommendations(attempts, HOUR).get('timeouts');
    expect(state?.revision).toBe(3);
    expect(state?.effectiveness).toMatchObject({ verdict: 'worse', action: 'revise' });
  });

  it('at MAX_REVISION without improvement: dropped (revision null)', () => {
    const last = [recommendation('timeouts', MAX_REVISION)];
    const attempts = [
      ...times(3, 0, (m) => sent(m, 'timeouts')),
      ...times(3, 10, (m) => sent(m, 'timeouts', last)),
    ];
    const state = judgeRecommendations(attempts, HOUR).get('timeouts');
    expect(state?.revision).toBeNull();
    expect(state?.effectiveness).toMatchObject({ verdict: 'no_effect', action: 'drop' });
    expect(state?.effectiveness.explanation).toContain('dropped from the prompt');
  });

  it('the after figure counts only the attempts carrying the newest revision', () => {
    const attempts = [
      ...times(3, 0, (m) => sent(m, 'timeouts')),
      ...times(3, 10, (m) => sent(m, 'timeouts', [recommendation('timeouts', 1)])),
      sent(20, null, [recommendation('timeouts', 2)]),
    ];
    const state = judgeRecommendations(attempts, HOUR).get('timeouts');
    expect(state?.revision).toBe(2);
    expect(state?.effectiveness.verdict).toBe('too_early');
    expect(state?.effectiveness.after).toEqual({ attempts: 1, failures: 0, rate: 0 });
    // Still measured from when the recommendation first entered a prompt.
    expect(state?.effectiveness.in_prompt_since_ms).toBe(T0 + 10 * MINUTE);
  });

  it('keeps every revision that reached a prompt, oldest first, each judged against before', () => {
    const attempts = [
      ...times(3, 0, (m) => sent(m, 'timeouts')),
      ...times(3, 10, (m) => sent(m, 'timeouts', [recommendation('timeouts', 1)])),
      ...times(4, 20, (m) =>
        sent(m, m === 20 ? 'timeouts' : null, [recommendation('timeouts', 2)]),
      ),
    ];
    const effectiveness = judgeRecommendations(attempts, HOUR).get('timeouts')?.effectiveness;
    expect(effectiveness?.revisions).toEqual([
      { revision: 1, after: { attempts: 3, failures: 3, rate: 1 }, verdict: 'no_effect' },
      { revision: 2, after: { attempts: 4, failures: 1, rate: 0.25 }, verdict: 'helped' },
    ]);
    expect(effectiveness?.verdict).toBe('helped');
    expect(effectiveness?.after).toEqual({ attempts: 4, failures: 1, rate: 0.25 });
  });

  it('attempts without a prompt are ignored, before and after', () => {
    const noPrompt = (m: number, category: FailureCategory | null) => ({
      ...sent(m, category, imports1),
      prompt: null,
    });
    const attempts = [
      ...times(4, 0, (m) => sent(m, 'forbidden_imports')),
      ...times(5, 4, (m) => noPrompt(m, null)), // would lower the before rate
      ...times(4, 10, (m) => sent(m, null, imports1)),
      ...times(5, 20, (m) => noPrompt(m, 'forbidden_imports')), // would raise the after rate
    ];
    const state = judgeRecommendations(attempts, HOUR).get('forbidden_imports');
    expect(state?.effectiveness.before).toEqual({ attempts: 4, failures: 4, rate: 1 });
    expect(state?.effectiveness.after).toEqual({ attempts: 4, failures: 0, rate: 0 });
  });

  it('before is the lookback before the first prompt carrying it, nothing earlier', () => {
    const first = 120; // minutes
    const lookback = 30 * MINUTE;
    const attempts = [
      sent(first - 31, null), // outside the lookback
      sent(first - 31, null),
      sent(first - 30, 'forbidden_imports'), // exactly at the lookback's start: in
      sent(first - 1, 'forbidden_imports'),
      ...times(3, first, (m) => sent(m, 'forbidden_imports', imports1)),
    ];
    const state = judgeRecommendations(attempts, lookback).get('forbidden_imports');
    expect(state?.effectiveness.before).toEqual({ attempts: 2, failures: 2, rate: 1 });
    expect(state?.effectiveness.verdict).toBe('no_effect');
  });

  it('order of the input does not matter', () => {
    const attempts = [
      ...times(4, 0, (m) => sent(m, 'forbidden_imports')),
      ...times(4, 10, (m) => sent(m, null, imports1)),
    ];
    expect(judgeRecommendations(attempts.slice().reverse(), HOUR)).toEqual(
      judgeRecommendations(attempts, HOUR),
    );
  });

  it('judges each key separately; unknown issues are ignored', () => {
    const bogus: Recommendation = {
      key: 'not_a_category',
      revision: 1,
      issue: 'not_a_category',
      fix: 'x',
      severity: 'low',
    };
    const both = [recommendation('forbidden_imports', 1), recommendation('timeouts', 1), bogus];
    const states = judgeRecommendations(
      [...times(3, 0, (m) => sent(m, 'timeouts')), ...times(3, 10, (m) => sent(m, null, both))],
      HOUR,
    );
    expect([...states.keys()].sort()).toEqual(['forbidden_imports', 'timeouts']);
    expect(states.get('timeouts')?.effectiveness.verdict).toBe('helped');
    // No forbidden_imports failures before or after: not lower, so revised.
    expect(states.get('forbidden_imports')?.effectiveness.verdict).toBe('no_effect');
  });

  it('nothing carried, nothing judged', () => {
    expect(
      judgeRecommendations(
        times(5, 0, (m) => sent(m, 'timeouts')),
        HOUR,
      ).size,
    ).toBe(0);
  });
});

describe('judgeRecommendations counts like the analysis', () => {
  it('an attempt filed under forbidden_imports whose findings name missing_function counts for both', () => {
    const both = (minutes: number, recommendations: readonly Recommendation[] = []) =>
      failedValidation(
        [
          finding('forbidden_imports', importNotAllowed('os'), 1),
          finding('missing_function', defineFunction('compress_video_frame'), null),
        ],
        { createdAtMs: T0 + minutes * MINUTE, prompt: prompt(recommendations) },
      );
    const carried = [recommendation('missing_function', 1)];
    const attempts = [
      both(0),
      both(1),
      both(2),
      both(3, carried),
      sent(4, null, carried),
      sent(5, null, carried),
    ];
    const state = judgeRecommendations(attempts, HOUR).get('missing_function');
    expect(state?.effectiveness.before).toEqual({ attempts: 3, failures: 3, rate: 1 });
    expect(state?.effectiveness.after).toEqual({ attempts: 3, failures: 1, rate: 1 / 3 });
    expect(state?.effectiveness.verdict).toBe('helped');
  });

  it('takes the baseline from the window it is given, not from the attempts it judges', () => {
    const carried = [recommendation('timeouts', 1)];
    const attempts = [sent(60, 'timeouts', carried), sent(61, 'timeouts', carried)];
    const baseline = [sent(10, 'timeouts'), sent(11, null), sent(12, null), sent(13, null)];
    const asked: number[] = [];
    const state = judgeRecommendations(attempts, HOUR, (sinceMs) => {
      asked.push(sinceMs);
      return baseline;
    }).get('timeouts');
    expect(asked).toEqual([T0 + 60 * MINUTE]);
    expect(state?.effectiveness.before).toEqual({ attempts: 4, failures: 1, rate: 0.25 });
  });
});
