import { describe, expect, it } from 'vitest';

import { analyseFailures, topCauses } from '../../src/governance/analysis.js';
import {
  DEADLINE,
  HOUR,
  MINUTE,
  SEGV,
  T0,
  ZERO_DIVISION,
  defineFunction,
  failedRun,
  failedValidation,
  finding,
  importNotAllowed,
  returnedType,
  stored,
} from './governance-fakes.js';

const NOW = T0 + 10 * HOUR;
const SINCE = NOW - HOUR;

const osImport = (createdAtMs: number, module = 'os') =>
  failedValidation([finding('forbidden_imports', importNotAllowed(module), 1)], { createdAtMs });

describe('analyseFailures: the window', () => {
  it('is (now − lookback, now]: the attempt at now − lookback is out, the one at now is in', () => {
    const atStart = osImport(SINCE);
    const justIn = osImport(SINCE + 1);
    const atNow = osImport(NOW);
    const future = osImport(NOW + 1);
    const analysis = analyseFailures([atStart, justIn, atNow, future], NOW, HOUR);
    expect(analysis.window).toEqual({ lookback_ms: HOUR, since_ms: SINCE, until_ms: NOW });
    expect(analysis.attempts).toBe(2);
    expect(analysis.failed.map((a) => a.id)).toEqual([justIn.id, atNow.id]);
  });

  it('an empty window has no success rate, no patterns and no samples', () => {
    const analysis = analyseFailures([osImport(SINCE - MINUTE)], NOW, HOUR);
    expect(analysis.attempts).toBe(0);
    expect(analysis.failures).toBe(0);
    expect(analysis.success_rate).toBeNull();
    expect(analysis.patterns).toEqual([]);
    expect(analysis.sample_errors).toEqual([]);
    expect(analysis.counts).toEqual({});
  });

  it('the failed list is oldest first whatever order the attempts come in', () => {
    const a = osImport(SINCE + 3 * MINUTE);
    const b = osImport(SINCE + MINUTE);
    const c = osImport(SINCE + 2 * MINUTE);
    expect(analyseFailures([a, b, c], NOW, HOUR).failed.map((x) => x.id)).toEqual([
      b.id,
      c.id,
      a.id,
    ]);
  });
});

describe('analyseFailures: counts, patterns and rates', () => {
  const t = (minutes: number) => SINCE + minutes * MINUTE;
  const attempts = [
    stored({ createdAtMs: t(1) }),
    stored({ createdAtMs: t(2), version: 4 }),
    osImport(t(3)),
    osImport(t(4), 'subprocess'),
    // Filed under forbidden_imports, but the findings show missing_function too.
    failedValidation(
      [
        finding('forbidden_imports', importNotAllowed('os'), 1),
        finding('missing_function', defineFunction('compress_video_frame')),
      ],
      { createdAtMs: t(5), code: 'import os\ndef my_compress(frame, config):\n    pass\n' },
    ),
    failedRun('runtime_errors', ZERO_DIVISION, { createdAtMs: t(6), failureLine: 9 }),
    failedRun('timeouts', DEADLINE, { createdAtMs: t(7), stage: 'sweep' }),
  ];
  const analysis = analyseFailures(attempts, NOW, HOUR);

  it('counts each failure once, under its filed category; the counts add up to the failures', () => {
    expect(analysis.attempts).toBe(7);
    expect(analysis.failures).toBe(5);
    expect(analysis.counts).toEqual({ forbidden_imports: 3, runtime_errors: 1, timeouts: 1 });
    const sum = Object.values(analysis.counts).reduce((total, n) => total + n, 0);
    expect(sum).toBe(analysis.failures);
  });

  it('success rate and adopted versions of the window', () => {
    expect(analysis.success_rate).toBeCloseTo(2 / 7, 12);
    expect(analysis.versions_adopted).toBe(1);
  });

  it('patterns count every attempt showing a category, validator findings included', () => {
    const byCategory = Object.fromEntries(analysis.patterns.map((p) => [p.category, p.count]));
    expect(byCategory).toEqual({
      forbidden_imports: 3,
      missing_function: 1,
      runtime_errors: 1,
      timeouts: 1,
    });
    const missing = analysis.patterns.find((p) => p.category === 'missing_function');
    expect(missing?.causes[0]?.label).toBe(
      'does not define compress_video_frame (it defines my_compress)',
    );
    expect(missing?.share).toBeCloseTo(1 / 7, 12);
  });

  it('patterns are ordered by count, then by category name', () => {
    expect(analysis.patterns.map((p) => p.category)).toEqual([
      'forbidden_imports',
      'missing_function',
      'runtime_errors',
      'timeouts',
    ]);
  });

  it('causes inside a pattern are ranked by how many attempts show them', () => {
    const imports = analysis.patterns[0];
    expect(imports?.causes.map((c) => [c.key, c.count])).toEqual([
      ['module:os', 2],
      ['module:subprocess', 1],
    ]);
    // Newest first.
    expect(imports?.causes[0]?.attempt_ids).toEqual([attempts[4]?.id, attempts[2]?.id]);
  });
});

describe('analyseFailures: trend against the previous window', () => {
  const inWindow = (n: number, make: (at: number) => ReturnType<typeof osImport>) =>
    Array.from({ length: n }, (_, i) => make(SINCE + (i + 1) * MINUTE));
  const inPrevious = (n: number, make: (at: number) => ReturnType<typeof osImport>) =>
    // The previous window is (now − 2·lookback, now − lookback]: its last ms is SINCE.
    Array.from({ length: n }, (_, i) => make(SINCE - i * MINUTE));
  const timeout = (at: number) => failedRun('timeouts', DEADLINE, { createdAtMs: at });
  const crash = (at: number) => failedRun('crashes', SEGV, { createdAtMs: at });
  const runtime = (at: number) => failedRun('runtime_errors', ZERO_DIVISION, { createdAtMs: at });

  const attempts = [
    ...inWindow(2, osImport), // new: none before
    ...inWindow(5, timeout),
    ...inPrevious(2, timeout), // rising: 5 > 2 × 1.25
    ...inWindow(1, crash),
    ...inPrevious(4, crash), // falling: 1 < 4 × 0.75
    ...inWindow(4, runtime),
    ...inPrevious(4, runtime), // steady
    // Before the previous window: ignored.
    failedRun('forbidden_imports', importNotAllowed('os'), { createdAtMs: SINCE - HOUR }),
    // Passing attempts of the previous window do not count.
    stored({ createdAtMs: SINCE - MINUTE }),
  ];
  const patterns = analyseFailures(attempts, NOW, HOUR).patterns;
  const of = (category: string) => patterns.find((p) => p.category === category);

  it('new, rising, falling, steady', () => {
    expect([of('forbidden_imports')?.trend, of('forbidden_imports')?.previous_count]).toEqual([
      'new',
      0,
    ]);
    expect([of('timeouts')?.trend, of('timeouts')?.previous_count]).toEqual(['rising', 2]);
    expect([of('crashes')?.trend, of('crashes')?.previous_count]).toEqual(['falling', 4]);
    expect([of('runtime_errors')?.trend, of('runtime_errors')?.previous_count]).toEqual([
      'steady',
      4,
    ]);
  });

  it('a category only in the previous window has no pattern', () => {
    const only = analyseFailures([timeout(SINCE - MINUTE)], NOW, HOUR);
    expect(only.patterns).toEqual([]);
  });
});

describe('analyseFailures: sample errors', () => {
  it('the newest failure of each category first, then the rest newest first, capped', () => {
    const t = (minutes: number) => SINCE + minutes * MINUTE;
    const oldImport = osImport(t(1));
    const oldRuntime = failedRun('runtime_errors', ZERO_DIVISION, { createdAtMs: t(2) });
    const newImport = osImport(t(3), 'sys');
    const newRuntime = failedRun('runtime_errors', "KeyError: 'q'", {
      createdAtMs: t(4),
      failureLine: 5,
      traceback: `Traceback (most recent call last):\n${'x'.repeat(50)}\nKeyError: 'q'`,
    });
    const crash = failedRun('crashes', SEGV, { createdAtMs: t(5) });
    const analysis = analyseFailures(
      [oldImport, oldRuntime, newImport, newRuntime, crash],
      NOW,
      HOUR,
      { causesPerPattern: 5, attemptIdsPerCause: 5, sampleErrors: 4, tracebackTailChars: 20 },
    );
    expect(analysis.sample_errors.map((s) => s.attempt_id)).toEqual([
      crash.id,
      newRuntime.id,
      newImport.id,
      oldRuntime.id,
    ]);
    const runtime = analysis.sample_errors[1];
    expect(runtime).toEqual({
      attempt_id: newRuntime.id,
      category: 'runtime_errors',
      stage: 'smoke',
      message: "KeyError: 'q'",
      line: 5,
      traceback_tail: `${'x'.repeat(6)}\nKeyError: 'q'`,
    });
    expect(analysis.sample_errors[0]?.traceback_tail).toBeNull();
  });
});

describe('topCauses', () => {
  it('caps causes and attempt ids; ties go to the newest cause', () => {
    const attempts = [
      failedRun('return_format_error', returnedType('ndarray'), { createdAtMs: T0 + 1 }),
      failedRun('return_format_error', returnedType('tuple'), { createdAtMs: T0 + 2 }),
      failedRun('return_format_error', returnedType('ndarray'), { createdAtMs: T0 + 3 }),
      failedRun('return_format_error', returnedType('ndarray'), { createdAtMs: T0 + 4 }),
      failedRun('return_format_error', returnedType('str'), { createdAtMs: T0 + 5 }),
    ];
    const causes = topCauses(attempts, {
      causesPerPattern: 2,
      attemptIdsPerCause: 2,
      sampleErrors: 10,
      tracebackTailChars: 10,
    });
    expect(causes.map((c) => [c.key, c.count])).toEqual([
      ['returned:ndarray', 3],
      ['returned:str', 1],
    ]);
    expect(causes[0]?.attempt_ids).toEqual([attempts[3]?.id, attempts[2]?.id]);
  });
});
