/**
 * The self-debugger's name for one structured cause (evaluation/cause.ts): its grouping key,
 * a label for people and prompts, and the subject a fix names. A lookup over the cause's kind
 * and subject fields, the attempt's category, stage and line: failure messages are never read,
 * so rewording one changes nothing here. Pure.
 */
import { causeDetail, causeKind, isCauseKind, type CauseKind } from '../evaluation/cause.js';
import type { FailureCause } from '../evaluation/cause.js';
import type { FailureCategory, Stage } from '../evaluation/failure.js';

export interface Cause {
  /** Stable, machine-readable: `module:os`, `exception:ZeroDivisionError`, `returned:ndarray`. */
  readonly key: string;
  /** For people and prompts: "imports the forbidden module os". */
  readonly label: string;
  /** The detail a fix names (the module, the function, the key, the type). */
  readonly subject: string | null;
}

/** What a lookup may read besides the cause itself. */
export interface CauseContext {
  readonly category: FailureCategory;
  readonly stage: Stage | 'generate';
  readonly line: number | null;
  /** The top-level functions the code defines besides the required ones. */
  readonly otherFunctions: () => readonly string[];
}

interface Found {
  readonly detail: string;
  /** A subject field as text; `missing` when the cause does not carry it. */
  readonly field: (name: string, missing?: string) => string;
  readonly context: CauseContext;
}

const named = (key: string, label: string, subject: string | null = null): Cause => ({
  key,
  label,
  subject,
});

/** A forbidden name however it was reached (builtin, attribute, member, keyword, string). */
const forbiddenUse = ({ detail }: Found): Cause =>
  named(`call:${detail}`, `uses the forbidden ${detail}`, detail);

/** Filed under the category itself, as a limit or an orchestrator's check is. */
const asCategory =
  (label: (found: Found) => string) =>
  (found: Found): Cause =>
    named(found.context.category, label(found));

const LOOKUP: Readonly<Record<CauseKind, (found: Found) => Cause>> = {
  source_too_large: () => named('source_too_large', 'the source is over the size limit'),
  not_utf8: () => named('not_utf8', 'the source is not valid UTF-8'),
  exception: ({ detail, field, context }) => {
    const at = context.line === null ? '' : ` at line ${context.line}`;
    const what = oneLine(field('detail', '')).slice(0, 120);
    if (context.category === 'syntax_errors') {
      return named(`exception:${detail}`, `${detail}${at}${what ? `: ${what}` : ''}`, detail);
    }
    return named(
      `exception:${detail}${context.line === null ? '' : `:${context.line}`}`,
      `${detail}${at} in ${context.stage}${what ? `: ${what}` : ''}`,
      detail,
    );
  },
  parser_gave_up: ({ detail }) =>
    named(`parser_gave_up:${detail}`, `the parser gave up (${detail}): nesting too deep`, detail),
  module: ({ detail }) =>
    named(`module:${detail}`, `imports the forbidden module ${detail}`, detail),
  module_attribute: (found) =>
    found.context.category === 'forbidden_calls'
      ? forbiddenUse(found)
      : named(
          `module_attribute:${found.detail}`,
          `uses ${found.detail}, which loads files or code`,
          found.detail,
        ),
  star_import: ({ detail }) =>
    named(`star_import:${detail}`, `uses 'from ${detail} import *'`, detail),
  relative_import: () => named('relative_import', 'uses a relative import'),
  call: forbiddenUse,
  attribute: forbiddenUse,
  keyword: forbiddenUse,
  string: forbiddenUse,
  missing: ({ detail, context }) => {
    const others = context.otherFunctions();
    const instead = others.length > 0 ? ` (it defines ${others.join(', ')})` : '';
    return named(`missing:${detail}`, `does not define ${detail}${instead}`, detail);
  },
  signature: ({ detail }) =>
    named(`signature:${detail}`, `${detail} has the wrong parameters`, detail),
  async: ({ detail }) => named(`async:${detail}`, `${detail} is async`, detail),
  tunables: ({ detail }) =>
    named(`tunables:${detail}`, `the TUNABLES entry ${detail} is invalid`, detail),
  returned: ({ detail }) =>
    named(`returned:${detail}`, `the encoder returned ${detail}, not a dict`, detail),
  missing_key: ({ detail }) =>
    named(
      `missing_key:${detail}`,
      `the encoder's dict lacks ${detail
        .split(',')
        .map((key) => `'${key}'`)
        .join(', ')}`,
      detail,
    ),
  compressed_type: ({ detail }) =>
    named(`compressed_type:${detail}`, `'compressed' is ${detail}, not bytes`, detail),
  metadata_type: ({ detail }) =>
    named(`metadata_type:${detail}`, `'metadata' is ${detail}, not a dict`, detail),
  metadata_not_json: () => named('metadata_not_json', `'metadata' is not JSON-serialisable`),
  metadata_not_object: () => named('metadata_not_object', `'metadata' is not a JSON object`),
  over_cap: () => named('over_cap', 'the output is over the size cap'),
  decoded_type: ({ detail }) =>
    named(`decoded_type:${detail}`, `the decoder returned ${detail}, not a numpy array`, detail),
  decoded_shape: ({ detail }) =>
    named(
      `decoded_shape:${detail}`,
      `the decoder returned dtype ${detail} or the wrong shape`,
      detail,
    ),
  decoded_frames: () =>
    named('decoded_frames', 'the decoder returned too few or wrong-sized frames'),
  limit: ({ context }) =>
    context.category === 'memory_exceeded'
      ? named(
          `memory:${context.stage}`,
          `exceeded the memory limit in the ${context.stage} stage`,
          context.stage,
        )
      : named(
          `deadline:${context.stage}`,
          `ran past the deadline in the ${context.stage} stage`,
          context.stage,
        ),
  output_flood: asCategory(() => 'wrote more to stdout/stderr than allowed'),
  signal: ({ detail }) => named(`signal:${detail}`, `died on ${detail}`, detail),
  sys_exit: () => named('sys_exit', 'called sys.exit'),
  exited: ({ field }) => named('exited', `exited on its own (status ${field('status')})`),
  truncated_record: () => named('truncated_record', 'died while writing its result'),
  invalid_record: () => named('invalid_record', 'wrote into the harness result channel'),
  leftover_state: () =>
    named('leftover_state', 'left a process, a file or an IPC object the harness could not clear'),
  incomplete_output: () => named('incomplete_output', 'returned an incomplete bitstream'),
  no_result: () => named('no_result', 'the sandbox ended without a result'),
  claimed_infrastructure: () =>
    named('claimed_infrastructure', 'claimed an infrastructure failure from inside the sandbox'),
  unknown_category: ({ field }) =>
    named('unknown_category', `reported a category outside the vocabulary (${field('claimed')})`),
  validator_failed: ({ field }) =>
    named('validator_failed', `the validator itself failed on the source (${field('observed')})`),
  no_report: asCategory(() => 'the validator returned no readable report'),
  empty_report: asCategory(() => 'the validator refused the code without a finding'),
  nondeterministic: asCategory(({ field }) =>
    field('run') === 'decode'
      ? `decoding clip ${field('clip')} at quality ${field('quality')} again gave different frames`
      : `encoding the same frames twice gave different bytes at frame ${field('frame')}`,
  ),
  quality_floor: (found) =>
    found.detail === 'worst_block'
      ? named(
          'quality_floor:worst_block',
          `clip ${found.field('clip')} frame ${found.field('frame')} block (${found.field('block_x')},${found.field('block_y')}) at quality ${found.field('quality')}: worst-block PSNR-Y ${found.field('psnr_y_db')} dB, floor ${found.field('floor_db')} dB`,
          'worst_block',
        )
      : asCategory(
          ({ field }) =>
            `clip ${field('clip')} reaches only ${field('psnr_y_db')} dB at quality ${field('quality')} (floor ${field('floor_db')} dB)`,
        )(found),
  generation: ({ detail }) =>
    named(
      `generation:${detail}`,
      `the response had no usable code (${detail.replaceAll('_', ' ')})`,
      detail,
    ),
};

/** The self-debugger's cause for a structured one; null for a kind outside the vocabulary. */
export function lookupCause(cause: FailureCause, context: CauseContext): Cause | null {
  const kind = causeKind(cause.key);
  if (!isCauseKind(kind)) return null;
  const field = (name: string, missing = '?'): string => String(cause.subject[name] ?? missing);
  return LOOKUP[kind]({ detail: causeDetail(cause.key) ?? '', field, context });
}

/** For a failure without a (known) cause: grouped under its category. */
export function categoryOnly(category: FailureCategory, message: string): Cause {
  return named(category, message.slice(0, 160) || category);
}

function oneLine(text: string): string {
  return text.replaceAll('\n', ' ').replaceAll('\t', ' ').trim();
}
