import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { autoFix, hasAutoFix } from '../../src/governance/autofix.js';
import { definedFunctions } from '../../src/governance/causes.js';
import {
  defineFunction,
  dictLacks,
  failedRun,
  failedValidation,
  finding,
  importNotAllowed,
  returnedType,
  wrongSignature,
} from './governance-fakes.js';

const DECODER = [
  'def decompress_video_frame(compressed, metadata, config):',
  "    return np.frombuffer(compressed, np.uint8).reshape(config['height'], config['width'], 3)",
].join('\n');

const ENCODER_BODY = "    return {'compressed': frame.tobytes(), 'metadata': {'q': 1}}";

function missing(code: string, ...names: string[]) {
  return failedValidation(
    names.map((name) => finding('missing_function', defineFunction(name))),
    { code },
  );
}

const encoderCount = (code: string) => (code.match(/^def compress_video_frame\(/gm) ?? []).length;

describe('autoFix: a missing function', () => {
  it('adds compress_video_frame calling the one obvious candidate', () => {
    const code = [
      'import numpy as np',
      '',
      'def my_compress(frame, config):',
      ENCODER_BODY,
      '',
      DECODER,
      '',
    ].join('\n');
    const fix = autoFix(missing(code, 'compress_video_frame'));
    expect(fix).not.toBeNull();
    expect(fix?.code.startsWith(code.trimEnd())).toBe(true);
    expect(fix?.code).toContain(
      'def compress_video_frame(frame, config):\n    return my_compress(frame, config)\n',
    );
    expect(fix?.description).toBe(
      'codec-lab auto-fix of a missing function: compress_video_frame added, calling my_compress.',
    );
    expect(fix?.causeKey).toBe('missing:compress_video_frame');
    expect(definedFunctions(fix?.code ?? '')).toEqual([
      'my_compress',
      'decompress_video_frame',
      'compress_video_frame',
    ]);
  });

  it('adds decompress_video_frame calling a decoder with the decoder parameters', () => {
    const code = [
      'import numpy as np',
      'def compress_video_frame(frame, config):',
      ENCODER_BODY,
      'def decode_frame(compressed, metadata, config):',
      '    return None',
    ].join('\n');
    const fix = autoFix(missing(code, 'decompress_video_frame'));
    expect(fix?.code).toContain(
      'def decompress_video_frame(compressed, metadata, config):\n    return decode_frame(compressed, metadata, config)\n',
    );
    expect(fix?.description).toContain('decompress_video_frame added, calling decode_frame');
  });

  it('both functions missing: both added, one cause key for the pair', () => {
    const code = [
      'def encode(frame, config):',
      ENCODER_BODY,
      'def decode(compressed, metadata, config):',
      '    return None',
    ].join('\n');
    const fix = autoFix(missing(code, 'compress_video_frame', 'decompress_video_frame'));
    expect(fix?.causeKey).toBe('missing:compress_video_frame+missing:decompress_video_frame');
    expect(fix?.code).toContain('    return encode(frame, config)\n');
    expect(fix?.code).toContain('    return decode(compressed, metadata, config)\n');
  });

  it('null when two functions could be the encoder', () => {
    const code = [
      'def compress_a(frame, config):',
      ENCODER_BODY,
      'def encode_b(frame, config):',
      ENCODER_BODY,
      DECODER,
    ].join('\n');
    expect(autoFix(missing(code, 'compress_video_frame'))).toBeNull();
  });

  it.each([
    ['too few parameters', 'def my_compress(frame):'],
    ['too many parameters', 'def my_compress(frame, config, extra):'],
    ['a default value', 'def my_compress(frame, config=None):'],
    ['*args', 'def my_compress(*args):'],
  ])('null when the candidate has %s', (_, signature) => {
    const code = [signature, ENCODER_BODY, DECODER].join('\n');
    expect(autoFix(missing(code, 'compress_video_frame'))).toBeNull();
  });

  it('a decoder-looking name is never taken for the encoder', () => {
    const code = ['def decompress_it(frame, config):', ENCODER_BODY, DECODER].join('\n');
    expect(autoFix(missing(code, 'compress_video_frame'))).toBeNull();
  });

  it('null when no name looks like the function', () => {
    const code = ['def process(frame, config):', ENCODER_BODY, DECODER].join('\n');
    expect(autoFix(missing(code, 'compress_video_frame'))).toBeNull();
  });

  it('null when one of the missing_function causes is not a missing function', () => {
    const code = [
      'def compress_video_frame(frame):',
      ENCODER_BODY,
      'def decode(c, m, k):',
      '    pass',
    ].join('\n');
    const attempt = failedValidation(
      [
        finding('missing_function', wrongSignature('compress_video_frame', ['frame']), 1),
        finding('missing_function', defineFunction('decompress_video_frame')),
      ],
      { code },
    );
    expect(autoFix(attempt)).toBeNull();
  });
});

describe('autoFix: return format', () => {
  const encoder = (body: string) =>
    [
      'import numpy as np',
      '',
      'def compress_video_frame(frame, config):',
      body,
      '',
      DECODER,
      '',
    ].join('\n');

  it.each([
    ['returned:bytes', returnedType('bytes'), '    return frame.tobytes()'],
    ['returned:tuple', returnedType('tuple'), "    return frame.tobytes(), {'q': 1}"],
    ['missing_key:metadata', dictLacks(['metadata']), "    return {'compressed': frame.tobytes()}"],
  ])('%s: the original is renamed and wrapped', (key, message, body) => {
    const code = encoder(body);
    const fix = autoFix(failedRun('return_format_error', message, { code }));
    expect(fix?.causeKey).toBe(key);
    expect(fix?.code).toContain(
      'def _codec_lab_unwrapped_compress_video_frame(frame, config):\n' + body,
    );
    expect(encoderCount(fix?.code ?? '')).toBe(1);
    expect(fix?.code).toContain(
      '    result = _codec_lab_unwrapped_compress_video_frame(frame, config)',
    );
    expect(fix?.description).toMatch(/^codec-lab auto-fix of a return-format error \(/);
    expect(hasAutoFix('return_format_error', key)).toBe(true);
  });

  it.each([
    ['returned:ndarray', returnedType('ndarray')],
    ['missing_key:compressed', dictLacks(['compressed'])],
    ['missing_key:compressed,metadata', dictLacks(['compressed', 'metadata'])],
  ])('%s: no fix', (key, message) => {
    const code = encoder('    return frame');
    expect(autoFix(failedRun('return_format_error', message, { code }))).toBeNull();
    expect(hasAutoFix('return_format_error', key)).toBe(false);
  });

  it('already wrapped code is not wrapped again', () => {
    const once = autoFix(
      failedRun('return_format_error', returnedType('bytes'), {
        code: encoder('    return frame.tobytes()'),
      }),
    );
    const again = autoFix(
      failedRun('return_format_error', returnedType('bytes'), { code: once?.code ?? '' }),
    );
    expect(once).not.toBeNull();
    expect(again).toBeNull();
  });
});

describe('autoFix: nothing to fix', () => {
  it('a failure in another category has no fix', () => {
    const attempt = failedValidation(
      [
        finding('forbidden_imports', importNotAllowed('os'), 1),
        finding('missing_function', defineFunction('compress_video_frame')),
      ],
      { code: ['import os', 'def my_compress(frame, config):', ENCODER_BODY, DECODER].join('\n') },
    );
    expect(autoFix(attempt)).toBeNull();
    expect(hasAutoFix('forbidden_imports', 'module:os')).toBe(false);
  });

  it('an attempt without code, or one that passed, has no fix', () => {
    expect(autoFix(missing('', 'compress_video_frame'))).toBeNull();
    expect(
      autoFix({
        ...missing('def my_compress(frame, config):\n  pass\n', 'compress_video_frame'),
        category: null,
      }),
    ).toBeNull();
  });

  it('hasAutoFix: missing functions and the wrappable return formats only', () => {
    expect(hasAutoFix('missing_function', 'missing:compress_video_frame')).toBe(true);
    expect(hasAutoFix('missing_function', 'signature:compress_video_frame')).toBe(false);
    expect(hasAutoFix('runtime_errors', 'returned:bytes')).toBe(false);
  });
});

const PYTHON_NUMPY =
  spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** Runs the code's compress_video_frame on a tiny frame; prints what it returned. */
function runEncoder(code: string): unknown {
  const probe = [
    code,
    '',
    'import json as _json',
    'import numpy as _np',
    '_frame = _np.arange(2 * 2 * 3, dtype=_np.uint8).reshape(2, 2, 3)',
    "_out = compress_video_frame(_frame, {'quality': 0.5, 'width': 2, 'height': 2, 'frame_index': 0, 'state': {}})",
    "print(_json.dumps({'type': type(_out).__name__, 'keys': sorted(_out) if isinstance(_out, dict) else None,",
    "  'compressed': type(_out.get('compressed')).__name__ if isinstance(_out, dict) else None,",
    "  'length': len(_out['compressed']) if isinstance(_out, dict) and 'compressed' in _out else None,",
    "  'metadata': _out.get('metadata') if isinstance(_out, dict) else None}))",
  ].join('\n');
  const run = spawnSync('python3', ['-c', probe], { encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown;
}

describe.skipIf(!PYTHON_NUMPY)('autoFix: the fixed code runs (python3 with numpy)', () => {
  const encoder = (body: string) =>
    [
      'import numpy as np',
      '',
      'def compress_video_frame(frame, config):',
      body,
      '',
      DECODER,
      '',
    ].join('\n');

  it.each([
    [returnedType('bytes'), '    return frame.tobytes()', {}],
    [returnedType('bytearray'), '    return bytearray(frame.tobytes())', {}],
    [returnedType('tuple'), "    return frame.tobytes(), {'q': 7}", { q: 7 }],
    [dictLacks(['metadata']), "    return {'compressed': frame.tobytes()}", {}],
  ])('%s → the contract dict', (message, body, metadata) => {
    const before = runEncoder(encoder(body));
    expect(before).not.toMatchObject({ type: 'dict', keys: ['compressed', 'metadata'] });
    const fix = autoFix(failedRun('return_format_error', message, { code: encoder(body) }));
    expect(runEncoder(fix?.code ?? '')).toEqual({
      type: 'dict',
      keys: ['compressed', 'metadata'],
      compressed: 'bytes',
      length: 12,
      metadata,
    });
  });

  it('a missing compress_video_frame → the alias returns what the candidate returns', () => {
    const code = [
      'import numpy as np',
      'def my_compress(frame, config):',
      ENCODER_BODY,
      DECODER,
    ].join('\n');
    const fix = autoFix(missing(code, 'compress_video_frame'));
    expect(runEncoder(fix?.code ?? '')).toEqual({
      type: 'dict',
      keys: ['compressed', 'metadata'],
      compressed: 'bytes',
      length: 12,
      metadata: { q: 1 },
    });
  });
});
