import { describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract.js';
import type { AttemptSummary } from '../../src/generators/generator.js';
import {
  buildPrompt,
  rdTableText,
  type PromptInput,
  type RdTable,
  type Recommendation,
} from '../../src/prompt/prompt-builder.js';
import { buildSystemPrompt } from '../../src/prompt/system-prompt.js';
import { capTail, fence } from '../../src/prompt/text.js';
import { tunableRanges } from '../../src/prompt/tunables-literal.js';

const contract = loadContract();

const INCUMBENT_CODE = [
  'import cv2',
  'import numpy as np',
  '',
  'def compress_video_frame(frame, config):',
  "    q = int(5 + 90 * config['quality'])",
  "    ok, data = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, q])",
  "    return {'compressed': data.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)',
  '',
].join('\n');

const incumbent: AttemptSummary = {
  attemptId: '20250101-0003',
  code: INCUMBENT_CODE,
  ok: true,
  stage: 'done',
  bdRateVsIncumbentPct: -12.34,
  bdRateVsJpegPct: -3.21,
  adopted: true,
};

function failed(id: string, category: string, traceback: string): AttemptSummary {
  return {
    attemptId: id,
    code: 'import os\n',
    ok: false,
    stage: 'smoke',
    category,
    message: `the codec raised in ${id}`,
    traceback,
    adopted: false,
  };
}

const RD: RdTable = {
  rows: [
    { codec: 'best', setting: 'q 0.10', bitrateKbps: 101.25, psnrYDb: 28.123, ssimY: 0.81234 },
    { codec: 'best', setting: 'q 0.90', bitrateKbps: 900.5, psnrYDb: 39.5 },
    { codec: 'x264', setting: 'crf 28', bitrateKbps: 80, psnrYDb: 33.456, ssimY: 0.9 },
  ],
  bdRatePct: { jpeg: -3.21, x264: 45, x265: null },
};

const RECOMMENDATIONS: Recommendation[] = [
  {
    issue: 'timeouts',
    fix: 'Vectorise the block loop with numpy',
    severity: 'medium',
    count: 2,
  },
  {
    issue: 'forbidden_imports',
    fix: 'Update LLM prompt to only use: numpy, cv2, torch, math, json, struct, base64, io',
    severity: 'high',
    count: 5,
    description: 'LLM is trying to import forbidden modules: os, sys',
  },
];

function input(overrides: Partial<PromptInput> = {}): PromptInput {
  return {
    contract,
    iteration: 7,
    incumbent,
    parent: incumbent,
    recent: [],
    incumbentRd: RD,
    recommendations: RECOMMENDATIONS,
    ...overrides,
  };
}

describe('buildSystemPrompt', () => {
  const system = buildSystemPrompt(contract);

  it('lists every allowed module from the contract, in its order', () => {
    expect(system).toContain(
      `Import only these modules (and their submodules): ${contract.allowed_modules.join(', ')}.`,
    );
    for (const module of contract.allowed_modules) expect(system).toContain(module);
  });

  it('states both signatures, the config keys, BGR uint8 and the counted bits', () => {
    expect(system).toContain('    def compress_video_frame(frame, config):');
    expect(system).toContain('    def decompress_video_frame(compressed, metadata, config):');
    for (const key of ['quality', 'frame_index', 'width', 'height', 'fps', 'state']) {
      expect(system).toContain(`\`${key}\``);
    }
    expect(system).toContain(
      'numpy uint8 array of shape (height, width, 3), channels in BGR order',
    );
    expect(system).toContain(
      "len(compressed) plus the byte length of json.dumps(metadata, sort_keys=True, separators=(',', ':'), ensure_ascii=False)",
    );
    expect(system).toContain('must be deterministic');
    expect(system).toContain('never share it');
  });

  it('lists forbidden calls, attributes and module members, and the size limit', () => {
    expect(system).toContain(contract.forbidden_calls.join(', '));
    expect(system).toContain('__subclasses__');
    expect(system).toContain('numpy.memmap');
    expect(system).toContain('cv2.VideoCapture');
    expect(system).toContain(`${contract.max_source_bytes} bytes`);
  });

  it('names the attributes refused on any object, their prefixes and allow_pickle (issue 11)', () => {
    expect(system).toContain(contract.banned_attributes.names.join(', '));
    expect(system).toContain(contract.banned_attributes.prefixes.join(', '));
    expect(system).toContain('json.loads');
    expect(system).toContain('allow_pickle');
  });

  it('explains TUNABLES: the literal, its types and limit, config params and what is tuned', () => {
    expect(system).toContain('- `params`: dict, the values of your tunable constants');
    expect(system).toContain('# Tunable constants');
    expect(system).toContain('module-level literal named TUNABLES');
    expect(system).toContain('ast.literal_eval and never executed');
    expect(system).toContain('"block":   {"type": "choice", "choices": [4, 8, 16], "default": 8},');
    expect(system).toContain('At most 8 entries.');
    expect(system).toContain("config['params']['q_scale']");
    expect(system).toContain('a cheap seeded search tunes the values on a small proxy');
    expect(system).toContain('with honest bounds');
  });

  it('asks for exactly one python block with the whole file', () => {
    expect(system).toContain('Answer with exactly ONE fenced code block tagged python');
  });

  it('depends only on the contract and the floor (so the provider cache hits)', () => {
    expect(buildSystemPrompt(contract)).toBe(system);
    expect(system).toContain('at least 20 dB');
    expect(system).toContain(
      "the worst 16×16 luma block of every frame must reach the clip's luma PSNR minus 15 dB (or 30 dB)",
    );
    expect(buildSystemPrompt(contract, { qualityFloorDb: 25 })).toContain('at least 25 dB');
    expect(buildPrompt(input()).system).toBe(system);
    expect(buildPrompt(input({ iteration: 1, incumbent: null, parent: null })).system).toBe(system);
  });
});

describe('buildPrompt user part', () => {
  it('is deterministic', () => {
    expect(buildPrompt(input())).toEqual(buildPrompt(input()));
  });

  it('contains the iteration, the incumbent code and its RD table', () => {
    const { user } = buildPrompt(input());
    expect(user.startsWith('# Iteration 7\n')).toBe(true);
    expect(user).toContain('## The current best codec (attempt 20250101-0003)');
    expect(user).toContain(`\`\`\`python\n${INCUMBENT_CODE}\`\`\``);
    expect(user).toContain('BD-rate against per-frame JPEG: -3.2 %.');
    expect(user).toContain('| codec | setting | kbps | PSNR-Y dB | SSIM-Y |');
    expect(user).toContain('| best | q 0.10 | 101.3 | 28.12 | 0.8123 |');
    expect(user).toContain('| best | q 0.90 | 900.5 | 39.50 | n/a |');
    expect(user).toContain('BD-rate against jpeg: -3.2 %, x264: +45.0 %, x265: n/a');
    expect(user).toContain('Write a codec that beats the current best one');
  });

  it('contains the recommendations, most severe first', () => {
    const { user } = buildPrompt(input());
    expect(user).toContain(
      '1. [high] forbidden_imports (5×): LLM is trying to import forbidden modules: os, sys\n' +
        '   Fix: Update LLM prompt to only use: numpy, cv2, torch, math, json, struct, base64, io\n' +
        '2. [medium] timeouts (2×):\n   Fix: Vectorise the block loop with numpy',
    );
  });

  it('leaves recommendations out when there are none', () => {
    const { user } = buildPrompt(input({ recommendations: [] }));
    expect(user).not.toContain('Recommendations');
  });

  it('says when there is no incumbent and asks for a first working codec', () => {
    const { user } = buildPrompt(input({ incumbent: null, parent: null, incumbentRd: null }));
    expect(user).toContain('None yet: no codec has been adopted so far.');
    expect(user).toContain('Write a first working codec.');
  });

  it('shows a failed parent with its traceback and asks to repair it', () => {
    const parent = failed(
      'p1',
      'runtime_errors',
      'Traceback (most recent call last):\nZeroDivisionError',
    );
    const { user } = buildPrompt(input({ parent, recent: [parent] }));
    expect(user).toContain('## The attempt to build on (attempt p1)');
    expect(user).toContain('Result: failed at smoke: runtime_errors.');
    expect(user).toContain('```\nTraceback (most recent call last):\nZeroDivisionError\n```');
    expect(user).toContain('Attempt p1 failed (runtime_errors at smoke).');
    // Shown once, in the parent's section, not again among the recent failures.
    expect(user.split('ZeroDivisionError').length - 1).toBe(1);
  });

  it('caps tracebacks to their end and failures to the newest few', () => {
    const long = `Traceback (most recent call last):\n${'  File "codec.py", line 3, in f\n'.repeat(400)}ValueError: boom`;
    const recent = Array.from({ length: 8 }, (_, i) => failed(`f${i}`, 'runtime_errors', long));
    const { user } = buildPrompt(
      input({ recent, limits: { maxFailures: 3, maxTracebackChars: 500 } }),
    );
    expect(user).toContain('## Recent failures (the last 3 of 8, oldest first)');
    expect(user).not.toContain('### Attempt f4:');
    expect(user).toContain('### Attempt f5: failed at smoke: runtime_errors');
    expect(user).toContain('### Attempt f7: failed at smoke: runtime_errors');
    expect(user.split('ValueError: boom').length - 1).toBe(3);
    expect(user).toContain('earlier characters omitted]');
    expect(user.length).toBeLessThan(INCUMBENT_CODE.length + 6000);
  });

  it('lists recent attempts with their BD-rates', () => {
    const recent = [incumbent, failed('f1', 'timeouts', '')];
    const { user } = buildPrompt(input({ recent }));
    expect(user).toContain('| 20250101-0003 | passed every stage | -12.3 % | -3.2 % | yes |');
    expect(user).toContain('| f1 | failed at smoke: timeouts | n/a | n/a | no |');
  });

  it('cannot be broken out of by backticks in untrusted text', () => {
    const parent = failed('p2', 'runtime_errors', 'x = """```"""\nSyntaxError');
    const { user } = buildPrompt(input({ parent }));
    expect(user).toContain('````\nx = """```"""\nSyntaxError\n````');
  });
});

const TUNED_CODE = `${INCUMBENT_CODE}
TUNABLES = {
    "q_scale": {"type": "float", "min": 0.25, "max": 4.0, "default": 1.0},  # step multiplier
    'block': {'type': 'choice', 'choices': [4, 8, 16], 'default': 8},
    "keyint": {"type": "int", "min": 1, "max": 60, "default": 12,},
    "dead_zone": {"type": "float", "min": 0.0, "max": 0.5, "default": 0.3},
}
`;

const tuned: AttemptSummary = {
  ...incumbent,
  code: TUNED_CODE,
  tuning: {
    params: { q_scale: 1.975, block: 16, keyint: 60, dead_zone: 0.3 },
    defaults: { q_scale: 1, block: 8, keyint: 12, dead_zone: 0.3 },
    defaultBdRatePct: 4.25,
    tunedBdRatePct: -6.5,
    evaluations: 12,
    wallMs: 41_400,
  },
};

describe('tuned parents and incumbents in the user prompt (issue 15)', () => {
  it('shows the tuned values next to the defaults, how far they moved and bounds hit', () => {
    const { user } = buildPrompt(input({ incumbent: tuned, parent: tuned }));
    expect(user).toContain(
      'Its TUNABLES were tuned (12 proxy evaluations, 41 s; proxy BD-rate +4.3 % with the defaults, -6.5 % tuned)',
    );
    expect(user).toContain('| tunable | default | tuned | range | move |');
    expect(user).toContain('| `q_scale` | 1 | 1.975 | 0.25 … 4 | +26 % of the range |');
    expect(user).toContain('| `block` | 8 | 16 | 4, 8, 16 | moved 1 choice, to the last one |');
    expect(user).toContain(
      '| `keyint` | 12 | 60 | 1 … 60 | +81 % of the range, at the upper bound |',
    );
    expect(user).toContain('| `dead_zone` | 0.3 | 0.3 | 0 … 0.5 | kept the default |');
    expect(user).toContain('widen a range that a value hit');
    // Once, in the incumbent's section, before its code.
    expect(user.split('| tunable |').length - 1).toBe(1);
    expect(user.indexOf('| `keyint` |')).toBeLessThan(user.indexOf('Its code:'));
  });

  it('shows a tuned parent that is not the incumbent in the parent section', () => {
    const parent = { ...tuned, attemptId: 'p9', adopted: false };
    const { user } = buildPrompt(input({ parent }));
    const parentAt = user.indexOf('## The attempt to build on (attempt p9)');
    expect(parentAt).toBeGreaterThan(0);
    expect(user.indexOf('| tunable |')).toBeGreaterThan(parentAt);
  });

  it('says nothing of tuning for an untuned codec, and marks a range it cannot read', () => {
    expect(buildPrompt(input()).user).not.toContain('TUNABLES');
    expect(buildPrompt(input({ incumbent: { ...tuned, tuning: null } })).user).not.toContain(
      '| tunable |',
    );
    const unreadable = { ...tuned, code: 'TUNABLES = {"q_scale": SCALE}\n' };
    const { user } = buildPrompt(input({ incumbent: unreadable, parent: unreadable }));
    expect(user).toContain('| `q_scale` | 1 | 1.975 | unknown | changed |');
  });

  it('escapes names and choices from codec source', () => {
    const odd = {
      ...tuned,
      code: 'TUNABLES = {"a|b": {"type": "choice", "choices": ["x|y", "z"], "default": "z"}}\n',
      tuning: {
        ...(tuned.tuning as NonNullable<AttemptSummary['tuning']>),
        params: { 'a|b': 'x|y' },
        defaults: { 'a|b': 'z' },
      },
    };
    const { user } = buildPrompt(input({ incumbent: odd, parent: odd }));
    expect(user).toContain(
      '| `a?b` | "z" | "x\\|y" | "x\\|y", "z" | moved 1 choice, to the first one |',
    );
  });
});

describe('tunableRanges', () => {
  it('reads Python literals: quotes, comments, trailing commas, tuples, True/None', () => {
    const ranges = tunableRanges(TUNED_CODE);
    expect(ranges?.get('q_scale')).toEqual({ type: 'float', min: 0.25, max: 4 });
    expect(ranges?.get('block')).toEqual({ type: 'choice', choices: [4, 8, 16] });
    expect(ranges?.get('keyint')).toEqual({ type: 'int', min: 1, max: 60 });
    expect(
      tunableRanges(
        "TUNABLES = {'m': {'type': 'choice', 'choices': ('a', 'b'), 'default': 'a', 'x': [True, None, -1e-3]}}",
      )?.get('m'),
    ).toEqual({ type: 'choice', choices: ['a', 'b'] });
  });

  it('gives null for what it cannot read rather than guessing', () => {
    expect(tunableRanges(INCUMBENT_CODE)).toBeNull();
    expect(tunableRanges('TUNABLES = {"a": {"type": "int", "min": LOW, "max": 3}}')).toBeNull();
    expect(tunableRanges('TUNABLES = {"a": {"type": "int", "min": 1}}')).toBeNull();
    expect(tunableRanges('TUNABLES = {"a": {"type": "int", "min": 1, "max": 2}')).toBeNull();
    expect(tunableRanges('def f():\n    TUNABLES = {}\n')).toBeNull();
  });
});

describe('text helpers', () => {
  it('capTail keeps the end from a line boundary and says how much was cut', () => {
    const text = 'line one\nline two\nline three\n';
    expect(capTail(text, 100)).toBe(text);
    expect(capTail(text, 13)).toBe('[… 18 earlier characters omitted]\nline three\n');
  });

  it('fence grows past the longest backtick run', () => {
    expect(fence('a ```` b', 'python')).toBe('`````python\na ```` b\n`````');
  });

  it('rdTableText leaves the SSIM column out when no row has it', () => {
    expect(rdTableText({ rows: [{ codec: 'c', setting: 's', bitrateKbps: 1, psnrYDb: 2 }] })).toBe(
      'Rate-distortion (mean over the dev clips):\n\n| codec | setting | kbps | PSNR-Y dB |\n|---|---|---|---|\n| c | s | 1.0 | 2.00 |',
    );
  });
});
