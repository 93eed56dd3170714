/**
 * sandbox-image/harness/validator.py, run with the host's python3 exactly as the sandbox runs
 * it (the same file, the same contract.json): banned attributes on any receiver, the
 * allow_pickle keyword, the legitimate code that must still pass, and line numbers that agree
 * with the parser's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Finding {
  readonly category: string;
  readonly message: string;
  readonly line: number | null;
  readonly excerpt: string;
}

interface Report {
  readonly ok: boolean;
  readonly findings: readonly Finding[];
}

const ANALYSE = `
import json, sys
sys.path.insert(0, 'sandbox-image/harness')
import validator
contract = validator.load_contract()
sources = json.load(sys.stdin)
print(json.dumps([validator.analyse(source.encode('utf-8'), contract) for source in sources]))
`;

/** One python3 run for many sources. */
function analyseAll(sources: readonly string[]): Report[] {
  const out = execFileSync('python3', ['-c', ANALYSE], {
    cwd: ROOT,
    input: JSON.stringify(sources),
    encoding: 'utf8',
  });
  return JSON.parse(out) as Report[];
}

const cache = new Map<string, Report>();

/** Analyses every source up front in one python3 run (a cold start costs most of a second). */
function prefetch(sources: readonly string[]): void {
  const reports = analyseAll(sources);
  sources.forEach((source, index) => {
    const report = reports[index];
    if (report) cache.set(source, report);
  });
}

function analyse(source: string): Report {
  if (!cache.has(source)) prefetch([source]);
  const report = cache.get(source);
  if (!report) throw new Error('python3 returned no report');
  return report;
}

/** The source followed by the two required functions, so only the body can fail. */
function codec(body: string): string {
  return `${body}

def compress_video_frame(frame, config):
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return compressed
`;
}

function first(report: Report): Finding {
  const finding = report.findings[0];
  if (!finding) throw new Error(`expected a finding, got ${JSON.stringify(report)}`);
  return finding;
}

const REFUSED_CALLS: ReadonlyArray<readonly [string, string, number]> = [
  ['a tuple subscript', 'import io\nimport numpy as np\nx = (np,)[0].load(io.BytesIO(b""))', 3],
  ['a rebound alias', 'import numpy as np\nm = np\nx = m.load("/tmp/x.npy")', 3],
  ['a list subscript', 'import io\nf = [io][0].open("/tmp/x", "wb")', 2],
  ['a call result', 'import numpy as np\nx = np.asarray(np).load("/tmp/x.npy")', 2],
  ['a conditional', 'import io\nimport numpy as np\nf = (np if 1 else io).load', 3],
  ['a function parameter', 'def helper(module):\n    return module.fromfile("/etc/passwd")', 2],
  ['an array method', 'import numpy as np\nnp.zeros(3).dump("/tmp/x.pkl")', 2],
  ['a cv2 reader', 'import cv2\nr = (cv2,)[0].imreadmulti("/tmp/x.png")', 2],
  ['a cv2 network reader', 'import cv2\nnet = [cv2][0].dnn_readNet("/tmp/m.onnx")', 2],
  ['a torch loader', 'import torch\nt = [torch][0].load("/tmp/x.pt")', 2],
  ['io.open_code', 'import io\ncode = (io,)[0].open_code("/tmp/x.py")', 2],
  ['a private loader', 'import torch\nm = torch._C._load_for_lite_interpreter("/tmp/x")', 2],
  [
    'typing.operator.attrgetter',
    'import numpy as np\nimport typing\nload = typing.operator.attrgetter("load")(np)',
    3,
  ],
  [
    'typing.get_type_hints (evaluates annotation strings)',
    'import typing\nh = typing.get_type_hints(typing)',
    2,
  ],
];

const REFUSED_IMPORTS: ReadonlyArray<readonly [string, string]> = [
  ['from numpy import load as l', 'numpy.load'],
  ['from cv2 import dnn_readNet', 'cv2.dnn_readNet'],
  ['from typing import get_type_hints', 'typing.get_type_hints'],
  ['from json import codecs', 'json.codecs'],
  ['from typing import sys', 'typing.sys'],
];

const ALLOW_PICKLE: ReadonlyArray<readonly [string, string]> = [
  ['on a banned loader', 'import numpy as np\nx = (np,)[0].load(b, allow_pickle=True)'],
  ['on any call', 'import numpy as np\nx = np.frombuffer(b"", np.uint8, allow_pickle=True)'],
  ['set to False', 'def f(**kw):\n    return kw\nx = f(allow_pickle=False)'],
  [
    'through a dict unpacked into a call',
    'import numpy as np\nx = np.frombuffer(b"", **{"allow_pickle": 1})',
  ],
];

const LEGIT: ReadonlyArray<readonly [string, string]> = [
  ['json.loads and json.dumps', 'import json\nm = json.loads(json.dumps({"a": 1}))'],
  [
    'json imported under another name',
    'import io\nimport json as j\nm = j.load(io.StringIO("{}"))\nj.dump(m, io.StringIO())',
  ],
  ['from json import loads', 'from json import dumps, loads\nm = loads(dumps([1]))'],
  [
    'json imported inside a function',
    'def f(s):\n    if s:\n        import json\n    return json.loads(s)',
  ],
  [
    'io.BytesIO read, write and getvalue',
    'import io\nb = io.BytesIO()\nb.write(b"ab")\nb.seek(0)\nx = b.read(1) + b.readline() + b.getvalue()',
  ],
  [
    'numpy.frombuffer and flags.writeable',
    'import numpy as np\na = np.frombuffer(b"abc", np.uint8)\nw = a.flags.writeable',
  ],
  [
    'struct and base64',
    'import base64\nimport struct\nx = base64.b64decode(base64.b64encode(struct.pack("<I", 1)))',
  ],
  [
    'cv2 constants that look like banned names',
    'import cv2\nq = [cv2.IMWRITE_JPEG_QUALITY, cv2.IMREAD_COLOR, cv2.IMREAD_UNCHANGED]',
  ],
  ['torch.from_numpy', 'import numpy as np\nimport torch\nt = torch.from_numpy(np.zeros(3))'],
];

const REFUSED_JSON: ReadonlyArray<readonly [string, string, number]> = [
  ['through a tuple', 'import json\nm = (json,)[0].loads("{}")', 2],
  [
    'after the name is rebound',
    'import json\nimport numpy as np\njson = np\nm = json.load("/tmp/x.npy")',
    4,
  ],
  [
    'when a parameter shadows it',
    'import json\ndef f(json):\n    return json.load("/tmp/x.npy")',
    3,
  ],
];

const ALIAS_LOAD = codec('import numpy as np\nm = np\nx = m.load("f")');
const MODULE_LOAD = codec('import numpy as np\nx = np.load("f")');

/** Every name of contract.json's forbidden_module_attributes, reached through a list. */
const MODULE_ATTRIBUTES = Object.entries(loadContract().forbidden_module_attributes).flatMap(
  ([module, names]) =>
    names.map((name) => ({
      module,
      name,
      source: codec(`import ${module}\nx = [${module}][0].${name}`),
    })),
);

const LEGIT_FILES = [
  'assets/anchors/jpeg_opencv.py',
  'test/fixtures/busy_codec.py',
  'test/fixtures/collapse_codec.py',
];

/** Each of these ends a line for str.splitlines() but not for CPython's tokenizer. */
const SEPARATORS = ['\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'];

function separated(separator: string): string {
  return codec(`# a comment${separator}with a separator\nLABEL = "a${separator}b"\nimport os\n`);
}

const CR_LINES = codec('import numpy as np\r# one\rLABEL = 1\r\nimport os\n');

const HOSTILE_DIR = `${ROOT}test/hostile/`;
const VALIDATOR_CATEGORIES = [
  'syntax_errors',
  'forbidden_imports',
  'forbidden_calls',
  'missing_function',
];

/** The hostile corpus with each file's expect-evaluate header (test/hostile/README.md). */
const HOSTILE = readdirSync(HOSTILE_DIR)
  .filter((name) => name.endsWith('.py'))
  .sort()
  .map((file) => {
    const source = readFileSync(HOSTILE_DIR + file, 'utf8');
    const expected = /^# expect-evaluate: (\S+)$/m.exec(source)?.[1] ?? 'missing header';
    return { file, source, expected };
  });
const LINE_SPLITTING = HOSTILE.find((entry) => entry.file === 'fmt_line_splitting_excerpt.py');

beforeAll(() => {
  prefetch([
    ...[...REFUSED_CALLS, ...ALLOW_PICKLE, ...LEGIT, ...REFUSED_JSON].map(([, body]) =>
      codec(body),
    ),
    ...REFUSED_IMPORTS.map(([body]) => codec(body)),
    ALIAS_LOAD,
    MODULE_LOAD,
    ...MODULE_ATTRIBUTES.map(({ source }) => source),
    ...LEGIT_FILES.map((path) => readFileSync(`${ROOT}${path}`, 'utf8')),
    ...SEPARATORS.map(separated),
    CR_LINES,
    ...HOSTILE.map(({ source }) => source),
  ]);
});

describe('validator: file and code loading refused by attribute, whatever reaches it', () => {
  it.each(REFUSED_CALLS)('refuses %s as forbidden_calls at its line', (_, body, line) => {
    const report = analyse(codec(body));
    expect(report.ok).toBe(false);
    expect(first(report)).toMatchObject({ category: 'forbidden_calls', line });
  });

  it('names the attribute in the message, so the cause is the attribute', () => {
    const finding = first(analyse(ALIAS_LOAD));
    expect(finding.message).toMatch(/^attribute 'load' .* not allowed on any object/);
  });

  it('keeps the module path in the message when the receiver is the module itself', () => {
    const finding = first(analyse(MODULE_LOAD));
    expect(finding).toMatchObject({
      category: 'forbidden_calls',
      message: "'numpy.load' does file or code loading and is not allowed",
      line: 2,
    });
  });

  it.each(REFUSED_IMPORTS)('refuses `%s` as forbidden_imports', (body, path) => {
    const finding = first(analyse(codec(body)));
    expect(finding.category).toBe('forbidden_imports');
    expect(finding.message).toContain(`'${path}'`);
  });

  it('refuses every forbidden module attribute of contract.json on a receiver that is not the module', () => {
    // The per-module lists generalised: each of their names is refused however it is reached.
    expect(MODULE_ATTRIBUTES.length).toBeGreaterThan(30);
    const missed = MODULE_ATTRIBUTES.filter(
      ({ source }) => analyse(source).findings[0]?.category !== 'forbidden_calls',
    );
    expect(missed).toEqual([]);
  });
});

describe('validator: allow_pickle', () => {
  it.each(ALLOW_PICKLE)('refuses the keyword %s as forbidden_calls', (_, body) => {
    const report = analyse(codec(body));
    expect(report.ok).toBe(false);
    expect(report.findings.map((finding) => finding.category)).toEqual(
      report.findings.map(() => 'forbidden_calls'),
    );
    expect(report.findings.some((finding) => finding.message.includes('allow_pickle'))).toBe(true);
  });
});

describe('validator: legitimate codec code still passes', () => {
  it.each(LEGIT)('passes %s', (_, body) => {
    expect(analyse(codec(body))).toEqual({ ok: true, findings: [], tunables: null });
  });

  it.each(REFUSED_JSON)('refuses the json exceptions %s', (_, body, line) => {
    expect(first(analyse(codec(body)))).toMatchObject({ category: 'forbidden_calls', line });
  });

  it.each(LEGIT_FILES)('passes %s', (path) => {
    expect(analyse(readFileSync(`${ROOT}${path}`, 'utf8'))).toEqual({
      ok: true,
      findings: [],
      tunables: null,
    });
  });
});

describe('validator: line numbers and excerpts follow the parser, not str.splitlines', () => {
  it.each(SEPARATORS.map((s) => [JSON.stringify(s), s]))(
    'points at the forbidden import after a %s in a comment and in a string',
    (_, separator) => {
      const finding = first(analyse(separated(separator)));
      expect(finding).toMatchObject({ category: 'forbidden_imports', line: 3 });
      expect(finding.excerpt.split('\n').find((row) => row.startsWith('>'))).toBe(
        '>    3 | import os',
      );
    },
  );

  it('still counts \\r and \\r\\n as line ends, as the tokenizer does', () => {
    const finding = first(analyse(CR_LINES));
    expect(finding).toMatchObject({ category: 'forbidden_imports', line: 4 });
    expect(finding.excerpt).toContain('>    4 | import os');
  });

  it('gives the harness traceback lines the numbering the compiler uses (source_lines)', () => {
    const probe = `
import ast, json, sys
sys.path.insert(0, 'sandbox-image/harness')
import validator
text = sys.stdin.read()
lines = validator.source_lines(text, keepends=True)
print(json.dumps([lines[node.lineno - 1].rstrip(chr(13) + chr(10)) for node in ast.parse(text).body]))
`;
    const source = 'a = 1  # \u2028 \x1c \x0c\rb = "\x85"\r\nc = 3\n';
    const out = execFileSync('python3', ['-c', probe], {
      cwd: ROOT,
      input: source,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(['a = 1  # \u2028 \x1c \x0c', 'b = "\x85"', 'c = 3']);
  });
});

describe('validator: the hostile corpus', () => {
  it('has the new rebinding bypasses and the line-splitting file', () => {
    const files = HOSTILE.map(({ file }) => file);
    for (const file of [
      'bypass_rebind_tuple_np_load.py',
      'bypass_rebind_alias_np_load.py',
      'bypass_rebind_list_io_open.py',
      'fmt_line_splitting_excerpt.py',
    ]) {
      expect(files).toContain(file);
    }
  });

  it("gives every file the expect-evaluate its header states (a pass when the category is not the validator's)", () => {
    const wrong = HOSTILE.flatMap(({ file, source, expected }) => {
      const report = analyse(source);
      const got = report.findings[0]?.category ?? 'pass';
      const want = VALIDATOR_CATEGORIES.includes(expected) ? expected : 'pass';
      return got === want ? [] : [{ file, expected, got }];
    });
    expect(wrong).toEqual([]);
  });

  it('marks the forbidden import of fmt_line_splitting_excerpt.py at its own line', () => {
    if (!LINE_SPLITTING) throw new Error('fmt_line_splitting_excerpt.py is missing');
    const line = LINE_SPLITTING.source
      .split(/\r\n|\r|\n/)
      .indexOf(
        'import os  # noqa: E402  (the forbidden import: the finding must point at this line)',
      );
    expect(line).toBeGreaterThan(10);
    const finding = first(analyse(LINE_SPLITTING.source));
    expect(finding).toMatchObject({ category: 'forbidden_imports', line: line + 1 });
    expect(finding.excerpt.split('\n').find((row) => row.startsWith('>'))).toMatch(
      new RegExp(`^>\\s+${line + 1} \\| import os `),
    );
  });
});
