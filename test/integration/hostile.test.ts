/**
 * The hostile corpus (test/hostile/*.py): each file is an attack with its expected outcome in
 * its header. Every file runs twice — through the whole cascade (validation first), and
 * directly in the sandbox with validation skipped, which tests the container boundary itself.
 * For each run: the orchestrator survives, the category is the expected one, the wall time
 * stays within the limit plus a margin, the host marker is absent, no canary secret from the
 * orchestrator's own environment appears anywhere in the result, and at the end no container
 * of this process is left.
 *
 * Calibration aid: with HOSTILE_OUTCOMES=<file>, every run appends one JSON line (file, mode,
 * outcome, stage, message, wall time) to that file, passing or not.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type EvaluationResult } from '../../src/evaluation/evaluator.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import {
  ROOT,
  TEST_LIMITS,
  builtinClip,
  openTestSandbox,
  ownLabel,
  sandboxContainers,
  silentLog,
} from './support.js';

interface Expectation {
  readonly file: string;
  readonly description: string;
  readonly evaluate: readonly string[];
  readonly direct: readonly string[];
  readonly message?: RegExp;
  readonly hostMarker?: string;
  readonly maxWallS: number;
  readonly quality?: 'low';
  readonly bits?: '>=raw';
}

const DIR = `${ROOT}test/hostile/`;
/**
 * 10 s per sandbox run: a fork bomb or a memory bomb meets its limit in well under a second on
 * a quiet host, but on a heavily loaded one (load average 20 on two cores was seen) 5 s was
 * not always enough, and the harness then rightly reported a timeout.
 */
const LIMITS = { ...TEST_LIMITS, timeoutMs: 10_000 };
const DEFAULT_MAX_WALL_S = 20;
const OUTCOMES_FILE = process.env.HOSTILE_OUTCOMES;

/**
 * Canary secrets planted in the orchestrator's own environment for the whole corpus. The
 * sandbox's environment is allow-listed, so neither value may reach a container, and so none
 * may come back in any result (message, traceback, log, findings).
 */
const CANARIES: Readonly<Record<string, string>> = {
  ANTHROPIC_API_KEY: 'sk-ant-canary-hostile',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-canary-hostile-wJalrXUtnFEMI',
};

function header(source: string, key: string): string | undefined {
  const match = new RegExp(`^# ${key}: (.*)$`, 'm').exec(source);
  return match?.[1]?.trim();
}

/** Python-style regex to JavaScript: leading inline flags (?i), (?s), (?is) become flags. */
function pythonRegex(pattern: string): RegExp {
  const inline = /^\(\?([is]+)\)/.exec(pattern);
  const flags = new Set(['s', ...(inline?.[1] ?? '')]);
  return new RegExp(inline ? pattern.slice(inline[0].length) : pattern, [...flags].join(''));
}

function parse(file: string): Expectation {
  const source = readFileSync(DIR + file, 'utf8');
  const required = (key: string): string => {
    const value = header(source, key);
    if (value === undefined) throw new Error(`${file}: header '# ${key}:' is missing`);
    return value;
  };
  const message = header(source, 'expect-message');
  const hostMarker = header(source, 'host-marker');
  const quality = header(source, 'expect-quality');
  const bits = header(source, 'expect-bits');
  return {
    file,
    description: required('hostile'),
    evaluate: required('expect-evaluate')
      .split('|')
      .map((s) => s.trim()),
    direct: required('expect-direct')
      .split('|')
      .map((s) => s.trim()),
    ...(message ? { message: pythonRegex(message) } : {}),
    ...(hostMarker ? { hostMarker } : {}),
    maxWallS: Number(header(source, 'max-wall-s') ?? DEFAULT_MAX_WALL_S),
    ...(quality === 'low' ? { quality: 'low' as const } : {}),
    ...(bits === '>=raw' ? { bits: '>=raw' as const } : {}),
  };
}

const corpus = readdirSync(DIR)
  .filter((name) => name.endsWith('.py'))
  .sort()
  .map(parse);

function outcome(result: EvaluationResult): string {
  return result.ok ? 'ok' : result.failure.category;
}

function describeResult(result: EvaluationResult): string {
  if (result.ok)
    return `ok (psnr ${result.metrics.points.map((p) => p.psnr_y_db.toFixed(1)).join(', ')})`;
  return `${result.stage}/${result.failure.category}: ${result.failure.message}\n${result.failure.traceback ?? ''}`;
}

describe('the hostile corpus', () => {
  let sandbox: DockerSandbox;
  let evaluator: Evaluator;
  let clip: Clip;
  const savedEnv = new Map<string, string | undefined>();

  beforeAll(async () => {
    // Planted before the first container is created, so every container could have seen them.
    for (const [name, value] of Object.entries(CANARIES)) {
      savedEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
    sandbox = await openTestSandbox(LIMITS, 2);
    evaluator = new Evaluator(sandbox, silentLog, 1);
    clip = await builtinClip(3);
  });

  afterAll(async () => {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await sandbox.close();
    expect(await sandboxContainers(ownLabel())).toEqual([]);
  });

  it('has at least 30 attacks, each with both expectations', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  for (const attack of corpus) {
    for (const mode of ['evaluate', 'direct'] as const) {
      const expected = mode === 'evaluate' ? attack.evaluate : attack.direct;
      it(`${attack.file} [${mode}] → ${expected.join('|')}: ${attack.description}`, async () => {
        const code = readFileSync(DIR + attack.file);
        const started = Date.now();
        const result = await evaluator.evaluate(code, [clip], {
          qualities: [0.5],
          ...(mode === 'direct' ? { skipValidation: true } : {}),
        });
        const wallS = (Date.now() - started) / 1000;
        if (OUTCOMES_FILE) {
          const { file } = attack;
          const message = result.ok ? describeResult(result) : result.failure.message;
          const record = {
            file,
            mode,
            outcome: outcome(result),
            stage: result.stage,
            wallS,
            message,
          };
          appendFileSync(OUTCOMES_FILE, `${JSON.stringify(record)}\n`);
        }
        const serialised = JSON.stringify(result);
        for (const [name, value] of Object.entries(CANARIES)) {
          expect(serialised.includes(value), `the canary ${name} leaked into the result`).toBe(
            false,
          );
        }
        expect(expected, describeResult(result)).toContain(outcome(result));
        expect(wallS).toBeLessThanOrEqual(attack.maxWallS + LIMITS.timeoutMs / 1000);
        if (attack.hostMarker) expect(existsSync(attack.hostMarker), attack.hostMarker).toBe(false);
        if (mode !== 'direct') return;
        if (attack.message && !result.ok) {
          expect(`${result.failure.message}\n${result.failure.traceback ?? ''}`).toMatch(
            attack.message,
          );
        }
        if (attack.quality === 'low' && result.ok) {
          // The cheat reached nothing: the decoder's output is as bad as no information.
          for (const point of result.metrics.points) expect(point.psnr_y_db).toBeLessThan(20);
        }
        if (attack.bits === '>=raw' && result.ok) {
          // Smuggled data is counted: at least the raw frame's 24 bits per pixel.
          for (const point of result.metrics.points)
            expect(point.bits_per_pixel).toBeGreaterThanOrEqual(24);
        }
      });
    }
  }
});
