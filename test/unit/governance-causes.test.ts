import { describe, expect, it } from 'vitest';

import { categoriesOf, causesOf, definedFunctions } from '../../src/governance/causes.js';
import {
  DEADLINE,
  EXITED,
  FLOOD,
  MEMORY_ERROR,
  METADATA_NOT_JSON,
  NONDETERMINISTIC,
  OOM,
  OVER_CAP,
  QUALITY_FLOOR,
  RELATIVE_IMPORT,
  SEGV,
  SYS_EXIT,
  ZERO_DIVISION,
  asyncFunction,
  attributeNotAllowed,
  builtinNotAllowed,
  compressedIs,
  decodedShape,
  decodedType,
  defineFunction,
  dictLacks,
  exceptionRaised,
  failedRun,
  failedValidation,
  finding,
  importNotAllowed,
  loadsFiles,
  metadataIs,
  metadataNotObject,
  returnedType,
  sourceTooLarge,
  starImport,
  stored,
  wrongSignature,
} from './governance-fakes.js';

const keys = (attempt: Parameters<typeof causesOf>[0], category?: Parameters<typeof causesOf>[1]) =>
  causesOf(attempt, category).map((cause) => cause.key);

const MISNAMED = [
  'import os',
  'import numpy as np',
  '',
  'def my_compress(frame, config):',
  "    return {'compressed': frame.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return np.frombuffer(compressed, np.uint8).reshape(2, 2, 3)',
  '',
].join('\n');

describe('causesOf, validator findings', () => {
  it('syntax_errors: the exception type and line of the parser error', () => {
    const attempt = failedValidation([
      finding('syntax_errors', exceptionRaised('SyntaxError', 'invalid syntax'), 3),
    ]);
    expect(causesOf(attempt)).toEqual([
      {
        key: 'exception:SyntaxError',
        label: 'SyntaxError at line 3: invalid syntax',
        subject: 'SyntaxError',
      },
    ]);
  });

  it('syntax_errors: an oversized source is its own cause', () => {
    const attempt = failedValidation([finding('syntax_errors', sourceTooLarge(70000, 65536))]);
    expect(keys(attempt)).toEqual(['source_too_large']);
  });

  it('forbidden_imports: the root module, once however often it is imported', () => {
    const attempt = failedValidation([
      finding('forbidden_imports', importNotAllowed('os'), 1),
      finding('forbidden_imports', importNotAllowed('os.path'), 2),
      finding('forbidden_imports', importNotAllowed('subprocess'), 3),
    ]);
    const causes = causesOf(attempt);
    expect(causes.map((cause) => cause.key)).toEqual(['module:os', 'module:subprocess']);
    expect(causes[0]).toEqual({
      key: 'module:os',
      label: 'imports the forbidden module os',
      subject: 'os',
    });
  });

  it('forbidden_imports: file-loading members, star and relative imports', () => {
    const attempt = failedValidation([
      finding('forbidden_imports', loadsFiles('numpy.load'), 1),
      finding('forbidden_imports', starImport('numpy'), 2),
      finding('forbidden_imports', RELATIVE_IMPORT, 3),
    ]);
    expect(causesOf(attempt)).toEqual([
      {
        key: 'module_attribute:numpy.load',
        label: 'uses numpy.load, which loads files or code',
        subject: 'numpy.load',
      },
      { key: 'star_import:numpy', label: "uses 'from numpy import *'", subject: 'numpy' },
      { key: 'relative_import', label: 'uses a relative import', subject: null },
    ]);
  });

  it('forbidden_calls: the builtin or member named in the finding', () => {
    const attempt = failedValidation([
      finding('forbidden_calls', builtinNotAllowed('open'), 4),
      finding('forbidden_calls', loadsFiles('numpy.load'), 5),
      finding('forbidden_calls', attributeNotAllowed('__globals__'), 6),
    ]);
    expect(causesOf(attempt)).toEqual([
      { key: 'call:open', label: 'uses the forbidden open', subject: 'open' },
      { key: 'call:numpy.load', label: 'uses the forbidden numpy.load', subject: 'numpy.load' },
      {
        key: 'call:__globals__',
        label: 'uses the forbidden __globals__',
        subject: '__globals__',
      },
    ]);
  });

  it('missing_function: names the missing function and what the code defines instead', () => {
    const attempt = failedValidation(
      [finding('missing_function', defineFunction('compress_video_frame'))],
      {
        code: MISNAMED,
      },
    );
    expect(causesOf(attempt)).toEqual([
      {
        key: 'missing:compress_video_frame',
        label: 'does not define compress_video_frame (it defines my_compress)',
        subject: 'compress_video_frame',
      },
    ]);
  });

  it('missing_function: no "(it defines …)" when nothing else is defined', () => {
    const attempt = failedValidation(
      [finding('missing_function', defineFunction('decompress_video_frame'))],
      { code: 'def compress_video_frame(frame, config):\n    return {}\n' },
    );
    expect(causesOf(attempt)[0]?.label).toBe('does not define decompress_video_frame');
  });

  it('missing_function: a wrong signature and an async def', () => {
    const attempt = failedValidation([
      finding('missing_function', wrongSignature('compress_video_frame', ['frame']), 4),
      finding('missing_function', asyncFunction('decompress_video_frame'), 9),
    ]);
    expect(causesOf(attempt)).toEqual([
      {
        key: 'signature:compress_video_frame',
        label: 'compress_video_frame has the wrong parameters',
        subject: 'compress_video_frame',
      },
      {
        key: 'async:decompress_video_frame',
        label: 'decompress_video_frame is async',
        subject: 'decompress_video_frame',
      },
    ]);
  });
});

describe('causesOf, harness and evaluator failures', () => {
  it.each([
    [returnedType('ndarray'), 'returned:ndarray', 'ndarray'],
    [returnedType('tuple', 3), 'returned:tuple', 'tuple'],
    [dictLacks(['metadata']), 'missing_key:metadata', 'metadata'],
    [
      dictLacks(['compressed', 'metadata']),
      'missing_key:compressed,metadata',
      'compressed,metadata',
    ],
    [compressedIs('str', 3), 'compressed_type:str', 'str'],
    [metadataIs('list', 2), 'metadata_type:list', 'list'],
    [METADATA_NOT_JSON, 'metadata_not_json', null],
    [OVER_CAP, 'over_cap', null],
  ])('return_format_error %#: %s', (failure, key, subject) => {
    const [cause] = causesOf(failedRun('return_format_error', failure));
    expect(cause?.key).toBe(key);
    expect(cause?.subject).toBe(subject);
  });

  it('return_format_error: the encoder type is in the label', () => {
    expect(causesOf(failedRun('return_format_error', returnedType('ndarray')))[0]?.label).toBe(
      'the encoder returned ndarray, not a dict',
    );
  });

  it('decode_mismatch: the type, or the dtype when the shape is wrong', () => {
    expect(keys(failedRun('decode_mismatch', decodedType('NoneType')))).toEqual([
      'decoded_type:NoneType',
    ]);
    expect(keys(failedRun('decode_mismatch', decodedShape('float64')))).toEqual([
      'decoded_shape:float64',
    ]);
  });

  it('runtime_errors: the exception type and line, its message and stage in the label', () => {
    const attempt = failedRun('runtime_errors', ZERO_DIVISION, { failureLine: 12, stage: 'sweep' });
    expect(causesOf(attempt)).toEqual([
      {
        key: 'exception:ZeroDivisionError:12',
        label: 'ZeroDivisionError at line 12 in sweep: division by zero',
        subject: 'ZeroDivisionError',
      },
    ]);
  });

  it('runtime_errors: the same exception on different lines are different causes', () => {
    const keyError = exceptionRaised('KeyError', "'q'");
    const a = failedRun('runtime_errors', keyError, { failureLine: 3 });
    const b = failedRun('runtime_errors', keyError, { failureLine: 7 });
    expect(keys(a)).not.toEqual(keys(b));
    expect(keys(failedRun('runtime_errors', keyError))).toEqual(['exception:KeyError']);
  });

  it('timeouts and memory_exceeded: keyed by the stage that ran out', () => {
    expect(causesOf(failedRun('timeouts', DEADLINE, { stage: 'sweep' }))).toEqual([
      {
        key: 'deadline:sweep',
        label: 'ran past the deadline in the sweep stage',
        subject: 'sweep',
      },
    ]);
    expect(keys(failedRun('memory_exceeded', OOM, { stage: 'smoke' }))).toEqual(['memory:smoke']);
    expect(keys(failedRun('memory_exceeded', MEMORY_ERROR, { stage: 'sweep' }))).toEqual([
      'memory:sweep',
    ]);
  });

  it('crashes: the signal, sys.exit, or an exit on its own', () => {
    expect(causesOf(failedRun('crashes', SEGV))).toEqual([
      { key: 'signal:SIGSEGV', label: 'died on SIGSEGV', subject: 'SIGSEGV' },
    ]);
    expect(keys(failedRun('crashes', SYS_EXIT))).toEqual(['sys_exit']);
    expect(causesOf(failedRun('crashes', EXITED))).toEqual([
      { key: 'exited', label: 'exited on its own (status 3)', subject: null },
    ]);
  });

  it('output_flood, nondeterministic, quality_floor, sandbox_error: the category itself', () => {
    expect(keys(failedRun('output_flood', FLOOD))).toEqual(['output_flood']);
    expect(keys(failedRun('nondeterministic', NONDETERMINISTIC))).toEqual(['nondeterministic']);
    expect(keys(failedRun('quality_floor', QUALITY_FLOOR, { stage: 'sweep' }))).toEqual([
      'quality_floor',
    ]);
    const sandbox = causesOf(failedRun('sandbox_error', ''));
    expect(sandbox).toEqual([{ key: 'sandbox_error', label: 'sandbox_error', subject: null }]);
  });

  it('other: a response without code names the generation failure', () => {
    const attempt = stored({
      code: '',
      stage: 'generate',
      category: 'other',
      generationFailure: 'no_code_block',
      failureMessage: 'the response has no ```python block',
      ok: false,
    });
    expect(causesOf(attempt)).toEqual([
      {
        key: 'generation:no_code_block',
        label: 'the response had no usable code (no code block)',
        subject: 'no_code_block',
      },
    ]);
  });

  it('the same cause on different frames is one cause', () => {
    const a = failedRun('return_format_error', metadataNotObject(2));
    const b = failedRun('return_format_error', metadataNotObject(17));
    expect(keys(a)).toEqual(['metadata_not_object']);
    expect(keys(b)).toEqual(keys(a));
  });

  it('a failure without a known cause is grouped under its category, its message as label', () => {
    const unknown = failedRun('crashes', 'something no cause describes');
    expect(causesOf(unknown)).toEqual([
      { key: 'crashes', label: 'something no cause describes', subject: null },
    ]);
    const outside = failedRun('crashes', {
      message: 'x',
      cause: { key: 'made_up:1', subject: {} },
    });
    expect(keys(outside)).toEqual(['crashes']);
  });

  it('a passing attempt has no causes', () => {
    expect(causesOf(stored())).toEqual([]);
  });
});

describe('categoriesOf and causesOf across categories', () => {
  // validator.py orders findings by category: the attempt is filed under forbidden_imports,
  // but the code also lacks compress_video_frame.
  const both = failedValidation(
    [
      finding('forbidden_imports', importNotAllowed('os'), 1),
      finding('missing_function', defineFunction('compress_video_frame')),
    ],
    { code: MISNAMED },
  );

  it('names the filed category first, then every other category the findings show', () => {
    expect(both.category).toBe('forbidden_imports');
    expect(categoriesOf(both)).toEqual(['forbidden_imports', 'missing_function']);
  });

  it('causes of the other category name the missing function and what is defined instead', () => {
    expect(causesOf(both, 'missing_function')).toEqual([
      {
        key: 'missing:compress_video_frame',
        label: 'does not define compress_video_frame (it defines my_compress)',
        subject: 'compress_video_frame',
      },
    ]);
    expect(keys(both)).toEqual(['module:os']);
  });

  it('a category the attempt does not show has no causes', () => {
    expect(causesOf(both, 'runtime_errors')).toEqual([]);
    expect(causesOf(both, null)).toEqual([]);
  });

  it('a finding category outside the vocabulary is ignored, a passing attempt shows none', () => {
    const odd = failedValidation([
      finding('forbidden_calls', builtinNotAllowed('eval'), 2),
      { category: 'made_up', message: 'x', cause: null, line: null, excerpt: '' },
    ]);
    expect(categoriesOf(odd)).toEqual(['forbidden_calls']);
    expect(categoriesOf(stored())).toEqual([]);
  });

  it('a run-time failure shows only its own category', () => {
    expect(categoriesOf(failedRun('runtime_errors', ZERO_DIVISION))).toEqual(['runtime_errors']);
  });
});

describe('definedFunctions', () => {
  it('lists top-level plain defs in order, not methods, nested or async functions', () => {
    const code = [
      'import numpy as np',
      'def a(x):',
      '    def nested(y):',
      '        return y',
      '    return x',
      'class C:',
      '    def method(self):',
      '        pass',
      'async def b(x):',
      '    pass',
      'def _helper2 (x, y):',
      '    pass',
      '# def commented(x):',
    ].join('\n');
    expect(definedFunctions(code)).toEqual(['a', '_helper2']);
    expect(definedFunctions('')).toEqual([]);
  });
});
