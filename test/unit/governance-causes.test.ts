import { describe, expect, it } from 'vitest';

import {
  categoriesOf,
  causesOf,
  definedFunctions,
  messageShape,
} from '../../src/governance/causes.js';
import {
  DEADLINE,
  FLOOD,
  NONDETERMINISTIC,
  OOM,
  SEGV,
  ZERO_DIVISION,
  builtinNotAllowed,
  compressedIs,
  decodedType,
  defineFunction,
  dictLacks,
  failedRun,
  failedValidation,
  finding,
  importNotAllowed,
  loadsFiles,
  returnedType,
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
    const attempt = failedValidation([finding('syntax_errors', 'SyntaxError: invalid syntax', 3)]);
    expect(causesOf(attempt)).toEqual([
      {
        key: 'exception:SyntaxError',
        label: 'SyntaxError at line 3: invalid syntax',
        subject: 'SyntaxError',
      },
    ]);
  });

  it('syntax_errors: an oversized source is its own cause', () => {
    const attempt = failedValidation([
      finding(
        'syntax_errors',
        'source is 70000 bytes; the limit is 65536 bytes: write a smaller codec',
      ),
    ]);
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
      finding(
        'forbidden_imports',
        "'from numpy import *' is not allowed: import names explicitly",
        2,
      ),
      finding('forbidden_imports', 'relative imports are not allowed', 3),
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
      finding(
        'forbidden_calls',
        "attribute '__globals__' is not allowed: it reaches introspection, other modules, files or raw memory",
        6,
      ),
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
      finding('missing_function', 'decompress_video_frame must be a plain def, not async def', 9),
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
    ["'metadata' for frame 2 is list; it must be a dict", 'metadata_type:list', 'list'],
    [
      "'metadata' for frame 0 is not JSON-serialisable (Object of type int64 is not JSON serializable); use plain ints, floats, strings, lists and dicts",
      'metadata_not_json',
      null,
    ],
    [
      "'compressed' for frame 0 is 999999 bytes, over the cap of 57600 bytes (the raw frame is 57600 bytes)",
      'over_cap',
      null,
    ],
  ])('return_format_error %#: %s', (message, key, subject) => {
    const [cause] = causesOf(failedRun('return_format_error', message));
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
    expect(
      keys(
        failedRun(
          'decode_mismatch',
          'decompress_video_frame returned dtype float64 shape (120, 160, 3) for frame 0; expected uint8 (120, 160, 3)',
        ),
      ),
    ).toEqual(['decoded_shape:float64']);
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
    const a = failedRun('runtime_errors', "KeyError: 'q'", { failureLine: 3 });
    const b = failedRun('runtime_errors', "KeyError: 'q'", { failureLine: 7 });
    expect(keys(a)).not.toEqual(keys(b));
    expect(keys(failedRun('runtime_errors', "KeyError: 'q'"))).toEqual(['exception:KeyError']);
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
    expect(keys(failedRun('memory_exceeded', 'MemoryError raised', { stage: 'sweep' }))).toEqual([
      'memory:sweep',
    ]);
  });

  it('crashes: the signal, or sys.exit', () => {
    expect(causesOf(failedRun('crashes', SEGV))).toEqual([
      { key: 'signal:SIGSEGV', label: 'died on SIGSEGV', subject: 'SIGSEGV' },
    ]);
    expect(keys(failedRun('crashes', 'the codec called sys.exit(1)'))).toEqual(['sys_exit']);
    expect(
      keys(failedRun('crashes', 'the codec exited on its own (exit status 3) before finishing')),
    ).toEqual(['message:the codec exited on its own (exit status N) before finishing']);
  });

  it('output_flood, nondeterministic, quality_floor, sandbox_error: the category itself', () => {
    expect(keys(failedRun('output_flood', FLOOD))).toEqual(['output_flood']);
    expect(keys(failedRun('nondeterministic', NONDETERMINISTIC))).toEqual(['nondeterministic']);
    expect(
      keys(
        failedRun(
          'quality_floor',
          'on clip a the best quality point (quality 1) reaches only 12.00 dB luma PSNR; the floor is 30 dB: the decoder must reconstruct the frames, not approximate them',
          { stage: 'sweep' },
        ),
      ),
    ).toEqual(['quality_floor']);
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

  it('an unrecognised message falls back to its shape, digits replaced', () => {
    const a = failedRun('return_format_error', 'metadata of frame 2 is not a JSON object');
    const b = failedRun('return_format_error', 'metadata of frame 17 is not a JSON object');
    expect(keys(a)).toEqual(['message:metadata of frame N is not a JSON object']);
    expect(keys(b)).toEqual(keys(a));
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
      { category: 'made_up', message: 'x', line: null, excerpt: '' },
    ]);
    expect(categoriesOf(odd)).toEqual(['forbidden_calls']);
    expect(categoriesOf(stored())).toEqual([]);
  });

  it('a run-time failure shows only its own category', () => {
    expect(categoriesOf(failedRun('runtime_errors', ZERO_DIVISION))).toEqual(['runtime_errors']);
  });
});

describe('messageShape', () => {
  it('replaces numbers, collapses whitespace, trims and caps at 80 characters', () => {
    expect(messageShape('  frame 12 took 3.75 s\n\tat  q 0.5 ')).toBe('frame N took N s at q N');
    expect(messageShape('x'.repeat(200))).toHaveLength(80);
    expect(messageShape('')).toBe('');
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
