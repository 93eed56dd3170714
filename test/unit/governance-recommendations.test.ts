import { describe, expect, it } from 'vitest';

import { FAILURE_CATEGORIES, type FailureCategory } from '../../src/evaluation/failure.js';
import {
  MAX_REVISION,
  forPrompt,
  recommend,
  type RecommendationInput,
  type SandboxLimits,
} from '../../src/governance/recommendations.js';
import type { PatternCause } from '../../src/governance/report.js';
import { DEFAULT_PROMPT_LIMITS, recommendationSection } from '../../src/prompt/prompt-builder.js';
import { contract } from './governance-fakes.js';

const LIMITS: SandboxLimits = { timeoutS: 47, memoryMb: 1536 };

function cause(key: string, label: string, count = 1, ids: string[] = ['1']): PatternCause {
  return { key, label, count, attempt_ids: ids };
}

function input(
  category: FailureCategory,
  causes: PatternCause[] = [],
  revision = 1,
  count = causes.reduce((n, c) => n + c.count, 0) || 1,
): RecommendationInput {
  return { pattern: { category, count, causes }, contract, limits: LIMITS, revision };
}

describe('recommend: a specific fix per category', () => {
  it('forbidden_imports names the modules and loaders, and the allowed modules', () => {
    const r = recommend(
      input('forbidden_imports', [
        cause('module:os', 'imports the forbidden module os', 3),
        cause('module:subprocess', 'imports the forbidden module subprocess'),
        cause('module_attribute:numpy.load', 'uses numpy.load, which loads files or code'),
      ]),
    );
    expect(r.fix).toContain(
      'Do not import os, subprocess; do not use numpy.load (file or code loading).',
    );
    expect(r.fix).toContain(`Import only these modules: ${contract.allowed_modules.join(', ')}.`);
    expect(r).toMatchObject({
      key: 'forbidden_imports',
      issue: 'forbidden_imports',
      count: 5,
      severity: 'high',
      auto_fixable: false,
      revision: 1,
    });
    expect(r.description).toBe(
      'forbidden_imports 5 times in the window: imports the forbidden module os (3×); imports the forbidden module subprocess; uses numpy.load, which loads files or code.',
    );
  });

  it('forbidden_calls names the calls and lists the contract forbidden calls', () => {
    const r = recommend(
      input('forbidden_calls', [
        cause('call:open', 'uses the forbidden open'),
        cause('call:getattr', 'uses the forbidden getattr'),
      ]),
    );
    expect(r.fix).toMatch(/^Do not use open, getattr\. /);
    expect(r.fix).toContain(contract.forbidden_calls.join(', '));
  });

  it('missing_function names the function and the contract signatures; auto-fixable', () => {
    const r = recommend(
      input('missing_function', [
        cause(
          'missing:compress_video_frame',
          'does not define compress_video_frame (it defines my_compress)',
        ),
      ]),
    );
    expect(r.fix).toMatch(/^Define compress_video_frame at the top level of the file\. /);
    expect(r.fix).toContain(
      'compress_video_frame(frame, config) and decompress_video_frame(compressed, metadata, config)',
    );
    expect(r.severity).toBe('critical');
    expect(r.auto_fixable).toBe(true);
    expect(r.description).toBe(
      'missing_function once in the window: does not define compress_video_frame (it defines my_compress).',
    );
  });

  it('missing_function with a wrong signature asks for the contract parameters; not auto-fixable', () => {
    const r = recommend(
      input('missing_function', [
        cause('signature:compress_video_frame', 'compress_video_frame has the wrong parameters'),
      ]),
    );
    expect(r.fix).toMatch(/^Give compress_video_frame exactly the contract's parameters\. /);
    expect(r.auto_fixable).toBe(false);
  });

  it.each([
    ['returned:bytes', true],
    ['returned:bytearray', true],
    ['returned:tuple', true],
    ['missing_key:metadata', true],
    ['returned:ndarray', false],
    ['missing_key:compressed', false],
    ['compressed_type:str', false],
  ])('return_format_error %s: auto_fixable %s', (key, fixable) => {
    const r = recommend(input('return_format_error', [cause(key, key)]));
    expect(r.auto_fixable).toBe(fixable);
  });

  it('return_format_error names the returned type, the missing key and the wrong type', () => {
    const r = recommend(
      input('return_format_error', [
        cause('returned:ndarray', 'the encoder returned ndarray, not a dict'),
        cause('missing_key:metadata', "the encoder's dict lacks 'metadata'"),
        cause('compressed_type:str', "'compressed' is str, not bytes"),
      ]),
    );
    expect(r.fix).toMatch(
      /^compress_video_frame returned ndarray: it must return a dict; the dict lacked metadata; 'compressed' was str: convert it with \.tobytes\(\)\. /,
    );
    expect(r.auto_fixable).toBe(true);
  });

  it('a fix starts like a sentence, but never changes the case of a function name', () => {
    const lacks = recommend(input('return_format_error', [cause('missing_key:metadata', 'm')]));
    expect(lacks.fix).toMatch(/^The dict lacked metadata\. compress_video_frame must return/);
    const returned = recommend(input('return_format_error', [cause('returned:bytes', 'b')], 2));
    expect(returned.fix).toMatch(/^compress_video_frame returned bytes: /);
    expect(returned.fix).not.toContain('Compress_video_frame');
  });

  it('timeouts name the time limit, memory_exceeded the memory limit, at every revision', () => {
    for (let revision = 1; revision <= MAX_REVISION; revision += 1) {
      const timeouts = recommend(input('timeouts', [], revision));
      expect(timeouts.severity).toBe('medium');
      if (revision < 3) expect(timeouts.fix).toContain('47 s');
      else expect(timeouts.fix).toContain('about 2 s per frame');
    }
    expect(recommend(input('memory_exceeded')).fix).toContain('The sandbox has 1536 MB');
    expect(recommend(input('memory_exceeded', [], 2)).fix).toContain('1536 MB limit');
  });

  it('syntax_errors leads with the parser error; an oversized source names the byte limit', () => {
    const r = recommend(
      input('syntax_errors', [
        cause('exception:SyntaxError', 'SyntaxError at line 3: invalid syntax'),
      ]),
    );
    expect(r.fix).toMatch(/^SyntaxError at line 3: invalid syntax\. The file must parse/);
    const large = recommend(
      input('syntax_errors', [cause('source_too_large', 'the source is over the size limit')]),
    );
    expect(large.fix).toContain(`${contract.max_source_bytes} bytes`);
  });

  it('runtime_errors quote the most frequent exception', () => {
    const r = recommend(
      input('runtime_errors', [
        cause(
          'exception:ZeroDivisionError:12',
          'ZeroDivisionError at line 12 in smoke: division by zero',
          4,
        ),
        cause('exception:KeyError:3', "KeyError at line 3 in smoke: 'q'"),
      ]),
    );
    expect(r.fix).toContain(
      'The most frequent: ZeroDivisionError at line 12 in smoke: division by zero.',
    );
  });

  it('other names the generation failure', () => {
    const r = recommend(
      input('other', [
        cause('generation:no_code_block', 'the response had no usable code (no code block)'),
      ]),
    );
    expect(r.fix).toMatch(/^Responses had no usable code \(no_code_block\)\. /);
  });

  it('sandbox_error says the code is not at fault', () => {
    expect(recommend(input('sandbox_error')).fix).toContain('nothing in the code needs to change');
    expect(recommend(input('sandbox_error')).severity).toBe('low');
  });

  it.each(FAILURE_CATEGORIES.map((category) => [category]))(
    '%s: a non-empty fix and description at every revision',
    (category) => {
      for (let revision = 1; revision <= MAX_REVISION; revision += 1) {
        const r = recommend(input(category, [], revision));
        expect(r.fix.trim()).not.toBe('');
        expect(r.description).toMatch(new RegExp(`^${category} once in the window\\.$`));
        expect(['critical', 'high', 'medium', 'low']).toContain(r.severity);
        expect(r.key).toBe(category);
        expect(r.revision).toBe(revision);
      }
    },
  );
});

describe('recommend: revisions', () => {
  const categories: FailureCategory[] = [
    'syntax_errors',
    'forbidden_imports',
    'forbidden_calls',
    'missing_function',
    'return_format_error',
    'decode_mismatch',
    'runtime_errors',
    'timeouts',
    'memory_exceeded',
    'crashes',
    'nondeterministic',
    'quality_floor',
    'other',
  ];

  it.each(categories.map((category) => [category]))(
    '%s: revisions 1, 2, 3 give three different texts',
    (category) => {
      const fixes = [1, 2, 3].map((revision) => recommend(input(category, [], revision)).fix);
      expect(new Set(fixes).size).toBe(3);
    },
  );

  it('revision 2 of missing_function gives the skeleton, revision 3 a complete example', () => {
    const skeleton = recommend(input('missing_function', [], 2)).fix;
    expect(skeleton).toContain('def compress_video_frame(frame, config):');
    expect(skeleton).toContain('def decompress_video_frame(compressed, metadata, config):');
    const example = recommend(input('missing_function', [], 3)).fix;
    expect(example).toContain("cv2.imencode('.jpg'");
    expect(example.length).toBeGreaterThan(skeleton.length);
  });

  it('revision 3 of forbidden_imports spells out the import lines', () => {
    const fix = recommend(
      input('forbidden_imports', [cause('module:os', 'imports the forbidden module os')], 3),
    ).fix;
    expect(fix).toMatch(/^Do not import os\. /);
    expect(fix).toContain('import numpy as np\nimport cv2');
  });

  it('a revision past the last keeps the most explicit text', () => {
    expect(recommend(input('decode_mismatch', [], MAX_REVISION + 2)).fix).toBe(
      recommend(input('decode_mismatch', [], MAX_REVISION)).fix,
    );
  });
});

describe('recommend: sample attempts', () => {
  it('the attempt ids of its causes, without duplicates, at most five', () => {
    const r = recommend(
      input('forbidden_imports', [
        cause('module:os', 'os', 4, ['9', '8', '7', '6']),
        cause('module:sys', 'sys', 3, ['8', '5', '4']),
      ]),
    );
    expect(r.sample_attempt_ids).toEqual(['9', '8', '7', '6', '5']);
  });
});

describe('forPrompt', () => {
  it('keeps the key and revision, so the prompt carries a reference to them', () => {
    const r = recommend(
      input('forbidden_imports', [cause('module:os', 'imports the forbidden module os')], 2),
    );
    const p = forPrompt(r);
    expect(p).toEqual({
      key: 'forbidden_imports',
      revision: 2,
      issue: 'forbidden_imports',
      count: 1,
      description: r.description,
      fix: r.fix,
      severity: 'high',
    });
    const section = recommendationSection([p], DEFAULT_PROMPT_LIMITS);
    expect(section).toContain('[ref forbidden_imports#r2]');
    expect(section).toContain(`Fix: ${r.fix}`);
  });
});
