/**
 * Stored attempts for the self-debugger's tests, carrying the messages the sandbox really
 * produces: the validator's findings (sandbox-image/harness/validator.py), the harness's
 * failure records (sandbox-image/harness/harness.py) and the evaluator's own failures
 * (src/evaluation/evaluator.ts). A change to those formats should be copied here.
 */
import { loadContract } from '../../src/contract.js';
import type { ValidationFinding } from '../../src/evaluation/evaluator.js';
import type { FailureCategory } from '../../src/evaluation/failure.js';
import { codeSha256, type AttemptStage, type StoredAttempt } from '../../src/store/store.js';

export const T0 = 1_700_000_000_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export const contract = loadContract();

const ALLOWED = contract.allowed_modules.join(', ');

/** validator.py `check_module_path`: an import outside the allowed modules. */
export const importNotAllowed = (path: string): string =>
  `import of '${path}' is not allowed; allowed modules: ${ALLOWED}`;
/** validator.py: a member of an allowed module that loads files or code. */
export const loadsFiles = (path: string): string =>
  `'${path}' does file or code loading and is not allowed`;
/** validator.py: a forbidden builtin. */
export const builtinNotAllowed = (name: string): string =>
  `use of builtin '${name}' is not allowed`;
/** validator.py: a required function is absent. */
export const defineFunction = (name: string): string => {
  const params = contract.required_functions[name] ?? [];
  return `define a top-level function ${name}(${params.join(', ')})`;
};
/** validator.py `_check_signature`. */
export const wrongSignature = (name: string, defined: readonly string[]): string => {
  const params = contract.required_functions[name] ?? [];
  return `${name} must accept exactly ${params.length} positional arguments (${params.join(', ')}); it is defined as ${name}(${defined.join(', ')})`;
};
/** harness.py `run_encode`: the encoder did not return a dict. */
export const returnedType = (type: string, frame = 0): string =>
  `compress_video_frame returned ${type} for frame ${frame}; return a dict {'compressed': bytes, 'metadata': dict}`;
/** harness.py `run_encode`: the dict lacks keys. */
export const dictLacks = (keys: readonly string[], frame = 0): string =>
  `compress_video_frame's dict for frame ${frame} lacks ${keys.map((k) => `'${k}'`).join(', ')}; return {'compressed': bytes, 'metadata': dict}`;
/** harness.py `run_encode`: 'compressed' is not bytes. */
export const compressedIs = (type: string, frame = 0): string =>
  `'compressed' for frame ${frame} is ${type}; it must be bytes (use array.tobytes())`;
/** harness.py `run_decode`: the decoder did not return an ndarray. */
export const decodedType = (type: string): string =>
  `decompress_video_frame returned ${type} for frame 0; return a numpy uint8 array of shape (120, 160, 3)`;
export const DEADLINE = 'the codec ran past the deadline of 60.0 s and was killed';
export const OOM = 'the codec exceeded the memory limit and was killed';
export const SEGV = 'the codec died on signal SIGSEGV';
export const ZERO_DIVISION = 'ZeroDivisionError: division by zero';
export const FLOOD = 'the codec wrote more than 65536 bytes to stdout/stderr and was killed';
export const NONDETERMINISTIC =
  "encoding the same frames twice gave different bytes at frame 1; make the encoder deterministic (no time, no unseeded randomness, no state outside config['state'])";

let lastId = 1000;

/** A passing attempt at T0; `overrides` make it anything else. */
export function stored(overrides: Partial<StoredAttempt> = {}): StoredAttempt {
  const code = overrides.code ?? 'import numpy as np\n';
  lastId += 1;
  return {
    code,
    codeSha256: codeSha256(code),
    behaviourSha256: null,
    duplicateOf: null,
    screening: null,
    parentId: null,
    generator: 'anthropic',
    model: 'fake-model',
    prompt: null,
    rawResponse: '',
    generationFailure: null,
    stage: 'done',
    category: null,
    failureMessage: null,
    traceback: null,
    failureLine: null,
    findings: [],
    log: '',
    imageId: 'sha256:image',
    metrics: null,
    assessment: null,
    decision: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    timings: { generationMs: 0, evaluationMs: 0 },
    createdAtMs: T0,
    id: String(lastId),
    ok: overrides.category === undefined || overrides.category === null,
    version: null,
    ...overrides,
  };
}

/** A run-time failure as the harness reports it (smoke stage unless told). */
export function failedRun(
  category: FailureCategory,
  message: string,
  overrides: Partial<StoredAttempt> = {},
): StoredAttempt {
  return stored({
    stage: 'smoke',
    category,
    failureMessage: message,
    ok: false,
    ...overrides,
  });
}

export function finding(
  category: FailureCategory,
  message: string,
  line: number | null = null,
): ValidationFinding {
  return { category, message, line, excerpt: '' };
}

/** Filed like the evaluator files a validation failure: under the first finding. */
export function failedValidation(
  findings: readonly ValidationFinding[],
  overrides: Partial<StoredAttempt> = {},
): StoredAttempt {
  const first = findings[0];
  if (first === undefined) throw new Error('failedValidation needs a finding');
  return stored({
    stage: 'validate' satisfies AttemptStage,
    category: first.category as FailureCategory,
    failureMessage: first.message,
    failureLine: first.line,
    findings,
    ok: false,
    ...overrides,
  });
}
