/**
 * Schema migration 3's one-time work: rows recorded before failures carried a structured cause
 * (evaluation/cause.ts) get one derived from their stored message, in the wording validator.py,
 * harness.py and the evaluator used until then. This is the only code that reads a failure
 * message to find a cause, and it runs once per database; a message it does not recognise gets
 * no cause (the self-debugger then groups the failure under its category).
 */
import type Database from 'better-sqlite3';
import type { ValidationFinding } from '../evaluation/evaluator.js';
import { cause, type CauseSubject, type FailureCause } from '../evaluation/cause.js';
import { isFailureCategory, type FailureCategory } from '../evaluation/failure.js';

type Rule = readonly [RegExp, (match: RegExpExecArray) => FailureCause];

const quoted = (m: RegExpExecArray): string => m[1] ?? '';
const of =
  (key: Parameters<typeof cause>[0], subject: CauseSubject = {}) =>
  () =>
    cause(key, subject);

const EXCEPTION: Rule = [
  /^(\w+(?:Error|Exception|Warning)?): /,
  (m) => cause(`exception:${quoted(m)}`, { exception: quoted(m) }),
];

const RULES: Readonly<Record<FailureCategory, readonly Rule[]>> = {
  syntax_errors: [
    [/^source is \d+ bytes/, of('source_too_large')],
    [/^source is not valid UTF-8/, of('not_utf8')],
    [/gave up on this source \((\w+):/, (m) => cause(`parser_gave_up:${quoted(m)}`)],
    [/^validation failed: /, of('validator_failed')],
    EXCEPTION,
  ],
  forbidden_imports: [
    [/^relative imports/, of('relative_import')],
    [/^'from (\S+) import \*'/, (m) => cause(`star_import:${quoted(m)}`, { module: quoted(m) })],
    [/^'([^']+)' does file or code loading/, (m) => cause(`module_attribute:${quoted(m)}`)],
    [/^import of '([^'.]+)[^']*'/, (m) => cause(`module:${quoted(m)}`, { module: quoted(m) })],
  ],
  forbidden_calls: [
    [/^attribute '([^']+)'/, (m) => cause(`attribute:${quoted(m)}`, { attribute: quoted(m) })],
    [/^'([^']+)' does file or code loading/, (m) => cause(`module_attribute:${quoted(m)}`)],
    [/^the keyword '([^']+)'/, (m) => cause(`keyword:${quoted(m)}`)],
    [/^string '([^']+)'/, (m) => cause(`string:${quoted(m)}`)],
    [/'([^']+)'/, (m) => cause(`call:${quoted(m)}`, { name: quoted(m) })],
  ],
  missing_function: [
    [/^define a top-level function (\w+)/, (m) => cause(`missing:${quoted(m)}`)],
    [/^the codec does not define (\w+)\(/, (m) => cause(`missing:${quoted(m)}`)],
    [/^(\w+) must accept exactly/, (m) => cause(`signature:${quoted(m)}`)],
    [/^(\w+) must be a plain def/, (m) => cause(`async:${quoted(m)}`)],
  ],
  return_format_error: [
    [/^compress_video_frame returned (\w+) for frame/, (m) => cause(`returned:${quoted(m)}`)],
    [
      /lacks (.+?); return/,
      (m) => cause(`missing_key:${[...quoted(m).matchAll(/'(\w+)'/g)].map((k) => k[1]).join(',')}`),
    ],
    [/^'compressed' for frame \d+ is (\w+);/, (m) => cause(`compressed_type:${quoted(m)}`)],
    [/^'metadata' for frame \d+ is (\w+);/, (m) => cause(`metadata_type:${quoted(m)}`)],
    [/not JSON-serialisable/, of('metadata_not_json')],
    [/over the cap|the cap for this clip/, of('over_cap')],
    [/^metadata of frame \d+ is not a JSON object/, of('metadata_not_object')],
  ],
  decode_mismatch: [
    [/^decompress_video_frame returned (\w+) for frame/, (m) => cause(`decoded_type:${quoted(m)}`)],
    [/returned dtype (\w+) shape/, (m) => cause(`decoded_shape:${quoted(m)}`)],
    [/^the decoder returned (too few frames|frame \d+ with the wrong size)/, of('decoded_frames')],
  ],
  runtime_errors: [EXCEPTION, [/^/, of('exception:Exception')]],
  timeouts: [[/^/, of('limit:timeout')]],
  memory_exceeded: [[/^/, of('limit:memory')]],
  output_flood: [[/^/, of('output_flood')]],
  crashes: [
    [/on signal (\w+)/, (m) => cause(`signal:${quoted(m)}`, { signal: quoted(m) })],
    [/sys\.exit/, of('sys_exit')],
    [/exited on its own \(exit status (-?\d+)\)/, (m) => cause('exited', { status: Number(m[1]) })],
    [/^truncated result record/, of('truncated_record')],
    [/invalid failure record/, of('invalid_record')],
    [/reported an infrastructure failure/, of('claimed_infrastructure')],
    [/without a valid result/, of('no_result')],
    [/incomplete bitstream/, of('incomplete_output')],
  ],
  nondeterministic: [[/^/, of('nondeterministic')]],
  quality_floor: [[/^/, of('quality_floor')]],
  sandbox_error: [
    [/no readable report/, of('no_report')],
    [/without saying why/, of('empty_report')],
  ],
  other: [],
};

/** The cause an old message implies, or null when it matches no wording the project used. */
export function legacyCause(
  category: FailureCategory,
  message: string,
  generationFailure: string | null = null,
): FailureCause | null {
  if (category === 'other' && generationFailure !== null) {
    return cause(`generation:${generationFailure}`, { kind: generationFailure });
  }
  for (const [pattern, make] of RULES[category]) {
    const match = pattern.exec(message);
    if (match) return make(match);
  }
  return null;
}

interface LegacyRow {
  id: number;
  category: string;
  failure_message: string | null;
  generation_failure: string | null;
  findings_json: string;
}

type LegacyFinding = Omit<ValidationFinding, 'cause'> & { cause?: FailureCause | null };

/** Fills failure_cause_json, and each finding's cause, for every failed row. */
export function deriveLegacyCauses(db: Database.Database): void {
  const rows = db
    .prepare(
      'SELECT id, category, failure_message, generation_failure, findings_json FROM attempts WHERE category IS NOT NULL',
    )
    .all() as LegacyRow[];
  const update = db.prepare(
    'UPDATE attempts SET failure_cause_json = ?, findings_json = ? WHERE id = ?',
  );
  for (const row of rows) {
    if (!isFailureCategory(row.category)) continue;
    const derived = legacyCause(row.category, row.failure_message ?? '', row.generation_failure);
    const findings = (JSON.parse(row.findings_json) as LegacyFinding[]).map((finding) => ({
      ...finding,
      cause:
        finding.cause ??
        (isFailureCategory(finding.category)
          ? legacyCause(finding.category, finding.message)
          : null),
    }));
    update.run(derived === null ? null : JSON.stringify(derived), JSON.stringify(findings), row.id);
  }
}
