/**
 * TUNABLES (docs/ARCHITECTURE.md §2.1): the real validator (sandbox-image/harness/validator.py
 * with tunables.py, run with the host's python3 as the sandbox runs it) refuses bad literals
 * with a message and a cause naming the entry; the orchestrator's own check of the spec and of
 * the values a codec is given (tunables.ts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fits } from '../../src/evaluation/cause.js';
import { checkParams, defaultsOf, parseSpec } from '../../src/evaluation/tunables.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Report {
  readonly ok: boolean;
  readonly findings: ReadonlyArray<{
    category: string;
    message: string;
    cause: { key: string; subject: Record<string, unknown> };
  }>;
  readonly tunables: unknown;
}

const ANALYSE = `
import json, sys
sys.path.insert(0, 'sandbox-image/harness')
import validator
contract = validator.load_contract()
print(json.dumps([validator.analyse(s.encode('utf-8'), contract) for s in json.load(sys.stdin)]))
`;

const BODY = `
def compress_video_frame(frame, config):
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return compressed
`;

function analyseAll(heads: readonly string[]): Report[] {
  const out = execFileSync('python3', ['-c', ANALYSE], {
    cwd: ROOT,
    input: JSON.stringify(heads.map((head) => `${head}\n${BODY}`)),
    encoding: 'utf8',
  });
  return JSON.parse(out) as Report[];
}

const entry = (name: string, spec: string): string => `"${name}": ${spec}`;
const GOOD = `{"type": "float", "min": 0.25, "max": 4.0, "default": 1.0}`;

const REFUSED: ReadonlyArray<readonly [string, string, string]> = [
  ['a non-literal', 'TUNABLES = dict(q_scale={"type": "float"})', 'TUNABLES'],
  [
    'a computed value',
    'X = 2\nTUNABLES = {"q": {"type": "int", "min": 0, "max": X, "default": 1}}',
    'TUNABLES',
  ],
  [
    'an out-of-range default',
    `TUNABLES = {${entry('q_scale', '{"type": "float", "min": 0.25, "max": 4.0, "default": 9.0}')}}`,
    'q_scale',
  ],
  [
    'a default outside the choices',
    `TUNABLES = {${entry('block', '{"type": "choice", "choices": [4, 8, 16], "default": 32}')}}`,
    'block',
  ],
  [
    'an unknown type',
    `TUNABLES = {${entry('keyint', '{"type": "integer", "min": 1, "max": 60, "default": 12}')}}`,
    'keyint',
  ],
  [
    'min not below max',
    `TUNABLES = {${entry('lam', '{"type": "float", "min": 2.0, "max": 1.0, "default": 1.5}')}}`,
    'lam',
  ],
  [
    'a float int bound',
    `TUNABLES = {${entry('keyint', '{"type": "int", "min": 1.5, "max": 60, "default": 12}')}}`,
    'keyint',
  ],
  ['a name that is no identifier', `TUNABLES = {${entry('q-scale', GOOD)}}`, 'q-scale'],
  [
    'an unknown key',
    `TUNABLES = {${entry('q', '{"type": "float", "min": 0, "max": 1, "default": 0.5, "step": 0.1}')}}`,
    'q',
  ],
  [
    'too many entries',
    `TUNABLES = {${Array.from({ length: 9 }, (_, i) => entry(`p${i}`, GOOD)).join(', ')}}`,
    'TUNABLES',
  ],
  ['two assignments', `TUNABLES = {${entry('q', GOOD)}}\nTUNABLES = {}`, 'TUNABLES'],
];

describe('the validator on TUNABLES', () => {
  const reports = analyseAll([
    ...REFUSED.map(([, head]) => head),
    `TUNABLES = {${entry('q_scale', GOOD)}, ${entry('block', '{"type": "choice", "choices": [4, 8, 16], "default": 8}')}, ${entry('keyint', '{"type": "int", "min": 1, "max": 60, "default": 12}')}}`,
    '',
  ]);

  it.each(REFUSED.map((row, index) => [...row, index] as const))(
    'refuses %s, naming the entry',
    (_what, _head, name, index) => {
      const report = reports[index];
      expect(report?.ok).toBe(false);
      const finding = report?.findings[0];
      expect(finding?.category).toBe('missing_function');
      expect(finding?.message).toContain(name === 'TUNABLES' ? 'TUNABLES' : `'${name}'`);
      expect(finding?.cause.subject['entry']).toBe(name);
      expect(fits(finding?.cause.key ?? '', 'missing_function')).toBe(true);
      expect(report?.tunables).toBeNull();
    },
  );

  it('passes a valid literal and returns it, which the orchestrator accepts', () => {
    const report = reports[REFUSED.length];
    expect(report?.ok).toBe(true);
    const spec = parseSpec(report?.tunables);
    expect(spec).not.toBeNull();
    expect(defaultsOf(spec)).toEqual({ q_scale: 1, block: 8, keyint: 12 });
  });

  it('reports no spec for a codec without TUNABLES', () => {
    expect(reports[REFUSED.length + 1]).toMatchObject({ ok: true, tunables: null });
  });
});

describe('the orchestrator checks the spec and the values again', () => {
  const spec = parseSpec({
    q_scale: { type: 'float', min: 0.25, max: 4, default: 1 },
    block: { type: 'choice', choices: [4, 8, 16], default: 8 },
    keyint: { type: 'int', min: 1, max: 60, default: 12 },
  });

  it('refuses a spec a container could forge', () => {
    expect(parseSpec({ q: { type: 'float', min: 0, max: 1, default: 2 } })).toBeNull();
    expect(parseSpec({ q: { type: 'int', min: 0, max: 10, default: 2.5 } })).toBeNull();
    expect(parseSpec({ q: { type: 'magic', default: 1 } })).toBeNull();
    expect(parseSpec({ 'a b': { type: 'float', min: 0, max: 1, default: 0.5 } })).toBeNull();
    const many = Object.fromEntries(
      Array.from({ length: 9 }, (_, i) => [`p${i}`, { type: 'int', min: 0, max: 2, default: 1 }]),
    );
    expect(parseSpec(many)).toBeNull();
  });

  it('fills missing values with defaults and refuses bad ones by name', () => {
    expect(checkParams(spec, { keyint: 30 })).toEqual({
      ok: true,
      params: { q_scale: 1, block: 8, keyint: 30 },
    });
    const bad = [
      [{ keyint: 61 }, "param 'keyint'"],
      [{ keyint: 2.5 }, "param 'keyint'"],
      [{ block: 5 }, "param 'block'"],
      [{ q_scale: 'big' }, "param 'q_scale'"],
      [{ speed: 1 }, "param 'speed'"],
    ] as const;
    for (const [given, name] of bad) {
      const checked = checkParams(spec, given);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.message).toContain(name);
    }
    expect(checkParams(null, {})).toEqual({ ok: true, params: {} });
    expect(checkParams(null, { q: 1 }).ok).toBe(false);
  });
});

describe("the harness's params in the spec's own types (tunables.typed)", () => {
  const TYPED = `
import ast, json, sys
sys.path.insert(0, 'sandbox-image/harness')
import tunables, validator
source, params = json.load(sys.stdin)
typed = tunables.typed(params, ast.parse(source), validator.load_contract()["tunables"])
print(json.dumps({name: [type(value).__name__, value] for name, value in typed.items()}))
`;
  const typed = (source: string, params: Record<string, unknown>): unknown =>
    JSON.parse(
      execFileSync('python3', ['-c', TYPED], {
        cwd: ROOT,
        input: JSON.stringify([source, params]),
        encoding: 'utf8',
      }),
    );
  const SOURCE = `TUNABLES = {
    "scale": {"type": "float", "min": 0.5, "max": 4.0, "default": 2.0},
    "step": {"type": "choice", "choices": [1.5, 2.0, 4], "default": 2.0},
    "keyint": {"type": "int", "min": 1, "max": 60, "default": 12},
}
${BODY}`;

  it('gives a float entry a float and a choice its own element, though JSON carried them as ints', () => {
    // JSON.stringify(2.0) is "2": without the spec Python would see the int 2.
    expect(typed(SOURCE, { scale: 2.0, step: 2.0, keyint: 12 })).toEqual({
      scale: ['float', 2],
      step: ['float', 2],
      keyint: ['int', 12],
    });
    expect(typed(SOURCE, { scale: 3, step: 4, keyint: 5 })).toEqual({
      scale: ['float', 3],
      step: ['int', 4],
      keyint: ['int', 5],
    });
  });

  it('keeps the values as given when the source has no valid TUNABLES', () => {
    expect(typed(BODY, { scale: 2 })).toEqual({ scale: ['int', 2] });
  });
});
