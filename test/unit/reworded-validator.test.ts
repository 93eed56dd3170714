/**
 * Rewording every validator message changes no cause the self-debugger finds. validator.py and
 * a copy whose every message is reworded (test/fixtures/reword.py) both run with the host's
 * python3 over the hostile corpus and sources that reach every kind of finding; the reports go
 * through the evaluator's own parsing, then the self-debugger's lookup.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeKind } from '../../src/evaluation/cause.js';
import type { ValidationFinding } from '../../src/evaluation/evaluator.js';
import { parseReport } from '../../src/evaluation/validation-stage.js';
import {
  HARNESS_DIR,
  REWORDED_PREFIX,
  ROOT,
  selfDebuggerCauses,
  validationAttempt,
  writeRewordedHarness,
} from './reworded-support.js';

const ANALYSE = `
import base64, json, sys
sys.path.insert(0, sys.argv[1])
import validator
contract = validator.load_contract()
sources = [base64.b64decode(s) for s in json.load(sys.stdin)]
print(json.dumps([json.dumps(validator.analyse(source, contract)) for source in sources]))
`;

const HOSTILE = join(ROOT, 'test/hostile');
const EXTRA: Readonly<Record<string, Buffer>> = {
  oversized: Buffer.from('x = 1\n'.repeat(40_000)),
  not_utf8: Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0x0a]),
  star: Buffer.from('from numpy import *\n'),
  attribute: Buffer.from('import numpy as np\ny = np.__globals__\nz = (np,)[0].load\n'),
  pickle: Buffer.from(
    'import numpy as np\nnp.frombuffer(b"", allow_pickle=True)\nk = "allow_pickle"\n',
  ),
  dunder_string: Buffer.from('k = "__globals__"\n'),
  signature: Buffer.from('def compress_video_frame(frame):\n    return {}\n'),
  async: Buffer.from('async def decompress_video_frame(compressed, metadata, config):\n    pass\n'),
  member_via_alias: Buffer.from('import numpy as np\nnp.load\n'),
};

/** Every kind of cause validator.py reports; the corpus must reach each. */
const VALIDATOR_KINDS = [
  'source_too_large',
  'not_utf8',
  'exception',
  'parser_gave_up',
  'module',
  'module_attribute',
  'star_import',
  'relative_import',
  'call',
  'attribute',
  'keyword',
  'string',
  'missing',
  'signature',
  'async',
];

function analyseAll(harnessDir: string, sources: readonly Buffer[]): ValidationFinding[][] {
  const out = execFileSync('python3', ['-c', ANALYSE, harnessDir], {
    input: JSON.stringify(sources.map((source) => source.toString('base64'))),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return (JSON.parse(out) as string[]).map((report) => {
    const parsed = parseReport(Buffer.from(report));
    if (parsed === null) throw new Error('the validator wrote an unreadable report');
    return parsed.findings;
  });
}

const corpus: Array<[string, Buffer]> = [
  ...readdirSync(HOSTILE)
    .filter((file) => file.endsWith('.py'))
    .map((file): [string, Buffer] => [file, readFileSync(join(HOSTILE, file))]),
  ...Object.entries(EXTRA),
];
let dir = '';
let original: ValidationFinding[][] = [];
let reworded: ValidationFinding[][] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codec-lab-reworded-'));
  writeRewordedHarness(dir);
  const sources = corpus.map(([, source]) => source);
  original = analyseAll(HARNESS_DIR, sources);
  reworded = analyseAll(dir, sources);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rewording every validator message', () => {
  it('rewords every message the corpus produces', () => {
    const pairs = original.flatMap((findings, index) =>
      findings.map((finding, at) => [finding.message, reworded[index]?.[at]?.message] as const),
    );
    expect(pairs.length).toBeGreaterThan(100);
    for (const [before, after] of pairs) {
      expect(after?.startsWith(REWORDED_PREFIX)).toBe(true);
      expect(after).not.toBe(before);
    }
  });

  it('reaches every kind of cause the validator reports', () => {
    const kinds = new Set(original.flat().map((finding) => causeKind(finding.cause?.key ?? '')));
    expect([...kinds].sort()).toEqual([...VALIDATOR_KINDS].sort());
  });

  it.each(corpus.map(([name], index) => [name, index] as const))(
    '%s: the self-debugger finds the same causes',
    (name, index) => {
      const code = corpus[index]?.[1].toString('utf8') ?? '';
      const before = selfDebuggerCauses(validationAttempt(original[index] ?? [], code));
      const after = selfDebuggerCauses(validationAttempt(reworded[index] ?? [], code));
      expect(after).toEqual(before);
      // Found by lookup, not by the fallback that groups an unknown cause under its category.
      for (const cause of before) expect(cause.key).not.toBe(cause.category);
    },
  );
});
