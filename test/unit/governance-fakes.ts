/**
 * Stored attempts for the self-debugger's tests, carrying the messages the sandbox really
 * produces: the validator's findings (sandbox-image/harness/validator.py), the harness's
 * failure records (sandbox-image/harness/harness.py) and the evaluator's own failures
 * (src/evaluation/evaluator.ts). A change to those formats should be copied here.
 */
import { loadContract } from '../../src/contract.js';
import type { ValidationFinding } from '../../src/evaluation/evaluator.js';
import type { CauseSubject, FailureCause } from '../../src/evaluation/cause.js';
import type { FailureCategory } from '../../src/evaluation/failure.js';
import { codeSha256, type AttemptStage, type StoredAttempt } from '../../src/store/store.js';

export const T0 = 1_700_000_000_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export const contract = loadContract();

const ALLOWED = contract.allowed_modules.join(', ');

/** A failure as the sandbox reports it: the message for people, the cause for code. */
export interface Reported {
  readonly message: string;
  readonly cause: FailureCause | null;
}

const reported = (message: string, key: string, subject: CauseSubject = {}): Reported => ({
  message,
  cause: { key, subject },
});

/** validator.py `check_module_path`: an import outside the allowed modules. */
export const importNotAllowed = (path: string): Reported => {
  const root = path.split('.')[0] ?? path;
  return reported(
    `import of '${path}' is not allowed; allowed modules: ${ALLOWED}`,
    `module:${root}`,
    { module: root, path },
  );
};
/** validator.py: a member of an allowed module that loads files or code (an import). */
export const loadsFiles = (path: string): Reported =>
  reported(`'${path}' does file or code loading and is not allowed`, `module_attribute:${path}`, {
    path,
  });
/** validator.py: an attribute refused on any receiver. */
export const attributeNotAllowed = (attribute: string): Reported =>
  reported(
    `attribute '${attribute}' is not allowed: it reaches introspection, other modules, files or raw memory`,
    `attribute:${attribute}`,
    { attribute },
  );
/** validator.py: a forbidden builtin. */
export const builtinNotAllowed = (name: string): Reported =>
  reported(`use of builtin '${name}' is not allowed`, `call:${name}`, { name });
/** validator.py: `from module import *`. */
export const starImport = (module: string): Reported =>
  reported(
    `'from ${module} import *' is not allowed: import names explicitly`,
    `star_import:${module}`,
    {
      module,
    },
  );
export const RELATIVE_IMPORT = reported('relative imports are not allowed', 'relative_import', {
  level: 1,
});
/** validator.py: a source over the size limit. */
export const sourceTooLarge = (bytes: number, limit: number): Reported =>
  reported(
    `source is ${bytes} bytes; the limit is ${limit} bytes: write a smaller codec`,
    'source_too_large',
    { bytes, limit_bytes: limit },
  );
/** validator.py and harness.py: a SyntaxError, or any exception the codec raised. */
export const exceptionRaised = (exception: string, detail: string): Reported =>
  reported(`${exception}: ${detail}`, `exception:${exception}`, { exception, detail });
/** validator.py: a required function is absent. */
export const defineFunction = (name: string): Reported => {
  const params = contract.required_functions[name] ?? [];
  return reported(`define a top-level function ${name}(${params.join(', ')})`, `missing:${name}`, {
    function: name,
    parameters: params.join(', '),
  });
};
/** validator.py `_check_signature`. */
export const wrongSignature = (name: string, defined: readonly string[]): Reported => {
  const params = contract.required_functions[name] ?? [];
  return reported(
    `${name} must accept exactly ${params.length} positional arguments (${params.join(', ')}); it is defined as ${name}(${defined.join(', ')})`,
    `signature:${name}`,
    { function: name, expected: params.join(', '), defined: defined.join(', ') },
  );
};
/** validator.py: an async def. */
export const asyncFunction = (name: string): Reported =>
  reported(`${name} must be a plain def, not async def`, `async:${name}`, { function: name });
/** harness.py `run_encode`: the encoder did not return a dict. */
export const returnedType = (type: string, frame = 0): Reported =>
  reported(
    `compress_video_frame returned ${type} for frame ${frame}; return a dict {'compressed': bytes, 'metadata': dict}`,
    `returned:${type}`,
    { type, frame },
  );
/** harness.py `run_encode`: the dict lacks keys. */
export const dictLacks = (keys: readonly string[], frame = 0): Reported =>
  reported(
    `compress_video_frame's dict for frame ${frame} lacks ${keys.map((k) => `'${k}'`).join(', ')}; return {'compressed': bytes, 'metadata': dict}`,
    `missing_key:${keys.join(',')}`,
    { keys: keys.join(','), frame },
  );
/** harness.py `run_encode`: 'compressed' is not bytes. */
export const compressedIs = (type: string, frame = 0): Reported =>
  reported(
    `'compressed' for frame ${frame} is ${type}; it must be bytes (use array.tobytes())`,
    `compressed_type:${type}`,
    { type, frame },
  );
/** harness.py `run_encode`: 'metadata' is not a dict. */
export const metadataIs = (type: string, frame = 0): Reported =>
  reported(`'metadata' for frame ${frame} is ${type}; it must be a dict`, `metadata_type:${type}`, {
    type,
    frame,
  });
export const METADATA_NOT_JSON = reported(
  "'metadata' for frame 0 is not JSON-serialisable (Object of type int64 is not JSON serializable); use plain ints, floats, strings, lists and dicts",
  'metadata_not_json',
  { frame: 0, error: 'Object of type int64 is not JSON serializable' },
);
export const OVER_CAP = reported(
  "'compressed' for frame 0 is 999999 bytes, over the cap of 57600 bytes (the raw frame is 57600 bytes)",
  'over_cap',
  { field: 'compressed', bytes: 999999, cap_bytes: 57600, frame: 0 },
);
/** The evaluator: the encoder's metadata JSON is not an object. */
export const metadataNotObject = (frame: number): Reported =>
  reported(`metadata of frame ${frame} is not a JSON object`, 'metadata_not_object', { frame });
/** harness.py `run_decode`: the decoder did not return an ndarray. */
export const decodedType = (type: string): Reported =>
  reported(
    `decompress_video_frame returned ${type} for frame 0; return a numpy uint8 array of shape (120, 160, 3)`,
    `decoded_type:${type}`,
    { type, frame: 0 },
  );
/** harness.py `run_decode`: the wrong dtype or shape. */
export const decodedShape = (dtype: string): Reported =>
  reported(
    `decompress_video_frame returned dtype ${dtype} shape (120, 160, 3) for frame 0; expected uint8 (120, 160, 3)`,
    `decoded_shape:${dtype}`,
    { dtype, shape: '120x160x3', frame: 0 },
  );
export const DEADLINE = reported(
  'the codec ran past the deadline of 60.0 s and was killed',
  'limit:timeout',
  { deadline_s: 60 },
);
export const OOM = reported('the codec exceeded the memory limit and was killed', 'limit:memory', {
  detected: 'oom_kill',
});
export const MEMORY_ERROR = reported('MemoryError raised', 'limit:memory', {
  detected: 'MemoryError',
});
export const SEGV = reported('the codec died on signal SIGSEGV', 'signal:SIGSEGV', {
  signal: 'SIGSEGV',
});
export const SYS_EXIT = reported('the codec called sys.exit(1)', 'sys_exit', { code: '1' });
export const EXITED = reported(
  'the codec exited on its own (exit status 3) before finishing',
  'exited',
  { status: 3 },
);
export const ZERO_DIVISION = exceptionRaised('ZeroDivisionError', 'division by zero');
export const FLOOD = reported(
  'the codec wrote more than 65536 bytes to stdout/stderr and was killed',
  'output_flood',
  { cap_bytes: 65536 },
);
export const NONDETERMINISTIC = reported(
  "encoding the same frames twice gave different bytes at frame 1; make the encoder deterministic (no time, no unseeded randomness, no state outside config['state'])",
  'nondeterministic',
  { run: 'encode', frame: 1 },
);
export const QUALITY_FLOOR = reported(
  'on clip a the best quality point (quality 1) reaches only 12.00 dB luma PSNR; the floor is 30 dB: the decoder must reconstruct the frames, not approximate them',
  'quality_floor',
  { clip: 'a', quality: 1, psnr_y_db: 12, floor_db: 30 },
);

/** A plain message is a failure whose cause is unknown (as a container's malformed claim is). */
const asReported = (failure: Reported | string): Reported =>
  typeof failure === 'string' ? { message: failure, cause: null } : failure;

let lastId = 1000;

/** A passing attempt at T0; `overrides` make it anything else. */
export function stored(overrides: Partial<StoredAttempt> = {}): StoredAttempt {
  const code = overrides.code ?? 'import numpy as np\n';
  lastId += 1;
  return {
    origin: 'run',
    settings: null,
    code,
    codeSha256: codeSha256(code),
    behaviourSha256: null,
    duplicateOf: null,
    params: null,
    tuning: null,
    member: null,
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
    failureCause: null,
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
  failure: Reported | string,
  overrides: Partial<StoredAttempt> = {},
): StoredAttempt {
  const { message, cause } = asReported(failure);
  return stored({
    stage: 'smoke',
    category,
    failureMessage: message,
    failureCause: cause,
    ok: false,
    ...overrides,
  });
}

export function finding(
  category: FailureCategory,
  failure: Reported | string,
  line: number | null = null,
): ValidationFinding {
  const { message, cause } = asReported(failure);
  return { category, message, cause, line, excerpt: '' };
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
    failureCause: first.cause,
    failureLine: first.line,
    findings,
    ok: false,
    ...overrides,
  });
}
