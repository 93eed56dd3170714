/**
 * The self-debugger end to end: recorded LLM responses with known failures go through the real
 * loop (the real SDK against a local Messages API, the real sandbox and evaluator, SQLite on
 * disk) under a fake clock; the tests read what the governor concluded, what the next request
 * carried, and what `codec-lab report` and `codec-lab chat` say about it.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorMeasurer } from '../../src/cli/anchor-runtime.js';
import { loadConfig } from '../../src/config.js';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import { evaluatorPorts } from '../../src/assessment/assessment.js';
import { AnthropicGenerator } from '../../src/generators/anthropic-generator.js';
import { DEFAULT_GOVERNANCE, Governor } from '../../src/governance/governor.js';
import type { GovernanceReport } from '../../src/governance/report.js';
import { FileReportSink } from '../../src/governance/report-files.js';
import { EXAMPLE_CODEC } from '../../src/governance/recommendations.js';
import type { Clock } from '../../src/loop/clock.js';
import { ResearchLoop } from '../../src/loop/research-loop.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoredAttempt } from '../../src/store/store.js';
import { LocalMessagesApi, withCode } from './messages-api.js';
import {
  TEST_LIMITS,
  builtinClip,
  ownLabel,
  openTestSandbox,
  runCli,
  sandboxContainers,
  silentLog,
} from './support.js';

const API_KEY = 'sk-ant-governance-test-3b9e';
/** Generous: an OOM kill under a loaded host must not turn into a timeout. */
const TIMEOUT_S = 8;
const QUALITIES = [0.3, 0.6, 0.9];
const contract = loadContract();

/** The prompt's own worked example: the test also proves it is a codec that gets adopted. */
const JPEG = EXAMPLE_CODEC;

const DECODER = JPEG.split('\n').slice(8).join('\n');

const CODECS = {
  forbiddenImport: `import os\n${JPEG}\n\ndef _cache_dir():\n    return os.getcwd()`,
  syntax: 'import numpy as np\n\ndef compress_video_frame(frame, config)\n    return frame\n',
  missingFunction: `import cv2\nimport numpy as np\n\ndef encode(frame):\n    return frame.tobytes()\n\n${DECODER}`,
  wrongReturn: `import cv2\nimport numpy as np\n\ndef compress_video_frame(frame, config):\n    return frame\n\n${DECODER}`,
  timeout: `import cv2\nimport numpy as np\n\ndef compress_video_frame(frame, config):\n    while True:\n        pass\n\n${DECODER}`,
  memory: `import cv2\nimport numpy as np\n\ndef compress_video_frame(frame, config):\n    big = np.ones((4 << 30,), np.uint8)\n    return {'compressed': big.tobytes(), 'metadata': {}}\n\n${DECODER}`,
  runtime: `import cv2\nimport numpy as np\n\ndef compress_video_frame(frame, config):\n    scale = 1 / 0\n    return {'compressed': frame.tobytes(), 'metadata': {'s': scale}}\n\n${DECODER}`,
  jpeg: JPEG,
};

/** A clock that only moves when told, starting half an hour ago (so the CLI's window sees it). */
class SteppedClock implements Clock {
  private t = Date.now() - 30 * 60_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (!signal.aborted) this.t += ms;
    return Promise.resolve();
  }
}

let api: LocalMessagesApi;
let sandbox: DockerSandbox;
let evaluator: Evaluator;
let clip: Clip;
const dirs: string[] = [];

beforeAll(async () => {
  api = new LocalMessagesApi(API_KEY);
  await api.start();
  sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: TIMEOUT_S * 1000 }, 2);
  evaluator = new Evaluator(sandbox, silentLog, 2);
  clip = await builtinClip(3);
}, 120_000);

afterAll(async () => {
  await sandbox.close();
  await api.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  expect(await sandboxContainers(ownLabel())).toEqual([]);
});

interface Run {
  readonly store: SqliteStore;
  readonly governor: Governor;
  readonly dataDir: string;
  readonly clock: SteppedClock;
}

async function runLoop(
  responses: string[],
  settings: { maxRepairs: number; triggerFailures: number },
): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-governance-'));
  dirs.push(dataDir);
  const config = loadConfig({}, { dataDir });
  const clock = new SteppedClock();
  const store = SqliteStore.open({ dataDir, log: silentLog, now: () => clock.now() });
  const governor = new Governor({
    store,
    contract,
    limits: { timeoutS: TIMEOUT_S, memoryMb: TEST_LIMITS.memoryLimitMb },
    settings: { ...DEFAULT_GOVERNANCE, ...settings },
    reports: new FileReportSink(dataDir),
    log: silentLog,
  });
  api.requests.length = 0;
  api.reply(...responses.map(withCode));
  const loop = new ResearchLoop({
    store,
    generator: new AnthropicGenerator({
      apiKey: API_KEY,
      baseURL: api.baseURL,
      model: api.model,
      maxTokens: 4000,
      maxRetries: 0,
      timeoutMs: 10_000,
      pricing: {
        inputPerMTok: 3,
        outputPerMTok: 15,
        cacheWritePerMTok: 3.75,
        cacheReadPerMTok: 0.3,
      },
    }),
    ports: evaluatorPorts(evaluator, anchorMeasurer(config, evaluator, sandbox, silentLog)),
    contract,
    clips: [clip],
    holdout: null,
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: silentLog,
    clock,
    recommendations: governor,
    maxRepairs: settings.maxRepairs,
    // One minute of fake time per iteration, so the window has a real extent.
    onIteration: () => clock.advance(60_000),
  });
  await loop.run({
    iterations: responses.length,
    intervalMs: 0,
    parallel: 1,
    signal: new AbortController().signal,
  });
  return { store, governor, dataDir, clock };
}

function attempts(store: SqliteStore): StoredAttempt[] {
  return [...store.attempts({ limit: 100, offset: 0, order: 'asc' }).attempts];
}

function reports(dataDir: string): GovernanceReport[] {
  return readdirSync(dataDir)
    .filter((name) => /^self_governance_report_.*\.json$/.test(name))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as GovernanceReport);
}

describe('a known failure mix through the real loop', () => {
  let run: Run;
  const order = [
    'forbiddenImport',
    'syntax',
    'missingFunction',
    'wrongReturn',
    'timeout',
    'memory',
    'runtime',
    'jpeg',
  ] as const;

  beforeAll(async () => {
    run = await runLoop(
      order.map((name) => CODECS[name]),
      { maxRepairs: 0, triggerFailures: 5 },
    );
  }, 600_000);

  afterAll(() => run.store.close());

  it('files every attempt under the right category, from the structured results', () => {
    expect(attempts(run.store).map((a) => a.category)).toEqual([
      'forbidden_imports',
      'syntax_errors',
      'missing_function',
      'return_format_error',
      'timeouts',
      'memory_exceeded',
      'runtime_errors',
      null,
    ]);
  });

  it('counts per category and per window', () => {
    const { report } = run.governor.assess(run.clock.now());
    expect(report.failure_analysis.counts).toEqual({
      forbidden_imports: 1,
      syntax_errors: 1,
      missing_function: 1,
      return_format_error: 1,
      timeouts: 1,
      memory_exceeded: 1,
      runtime_errors: 1,
    });
    expect(report.failure_analysis.attempts).toBe(8);
    expect(report.failure_analysis.success_rate).toBeCloseTo(1 / 8, 10);
    // A 4-minute window sees only the last three attempts (one per fake minute, now 1 min after the last).
    const short = new Governor({
      store: run.store,
      contract,
      limits: { timeoutS: TIMEOUT_S, memoryMb: 256 },
      settings: { ...DEFAULT_GOVERNANCE, lookbackMs: 240_000 },
    }).assess(run.clock.now()).report;
    expect(short.failure_analysis.counts).toEqual({ memory_exceeded: 1, runtime_errors: 1 });
    expect(short.failure_analysis.attempts).toBe(3);
  });

  it('names the concrete cause in each recommendation', () => {
    const { report } = run.governor.assess(run.clock.now());
    const by = new Map(report.failure_analysis.recommendations.map((r) => [r.issue, r]));
    expect(by.get('forbidden_imports')?.fix).toMatch(/^Do not import os\./);
    expect(by.get('missing_function')?.description).toContain(
      'does not define compress_video_frame (it defines encode)',
    );
    expect(by.get('return_format_error')?.fix).toContain(
      'compress_video_frame returned ndarray: it must return a dict',
    );
    expect(by.get('runtime_errors')?.description).toContain('ZeroDivisionError at line 5');
    expect(by.get('timeouts')?.fix).toContain(`within ${TIMEOUT_S} s`);
    expect(by.get('memory_exceeded')?.fix).toContain(`${TEST_LIMITS.memoryLimitMb} MB`);
    expect(by.get('syntax_errors')?.description).toContain('SyntaxError at line 3');
  });

  it('fires the trigger after the sixth failure, not before, and the next request carries it', () => {
    const sent = api.userMessages();
    expect(sent).toHaveLength(8);
    const carries = sent.map((text) => text.includes('Recommendations from the self-debugger'));
    expect(carries).toEqual([false, false, false, false, false, false, true, true]);
    expect(sent[6]).toContain('Do not import os.');
    expect(sent[6]).toContain('[ref forbidden_imports#r1]');
    // What was sent is what the store kept with the attempt.
    expect(attempts(run.store)[6]?.prompt?.user).toBe(sent[6]);
  });

  it('computes effectiveness from the stored attempts', () => {
    const { report } = run.governor.assess(run.clock.now());
    const entry = report.effectiveness.find((e) => e.key === 'forbidden_imports');
    expect(entry?.in_prompt_since_ms).toBe(attempts(run.store)[6]?.createdAtMs);
    expect(entry?.before).toEqual({ attempts: 6, failures: 1, rate: 1 / 6 });
    expect(entry?.after).toEqual({ attempts: 2, failures: 0, rate: 0 });
    expect(entry?.verdict).toBe('too_early');
    expect(report.improved_prompt.last_sent_attempt_id).toBe(attempts(run.store)[7]?.id);
  });
});

describe("the seed's three-iteration story", () => {
  let run: Run;

  beforeAll(async () => {
    run = await runLoop(
      ['import os\n\ndef my_compress(data):\n    return data\n', CODECS.wrongReturn, CODECS.jpeg],
      { maxRepairs: 2, triggerFailures: 5 },
    );
  }, 300_000);

  afterAll(() => run.store.close());

  it('fails, repairs with the recommendations, and adopts v1', () => {
    const [first, second, third] = attempts(run.store);
    expect(first?.category).toBe('forbidden_imports');
    expect(first?.findings.map((f) => f.category)).toContain('missing_function');
    expect(second?.category).toBe('return_format_error');
    expect(second?.failureMessage).toContain('returned ndarray');
    expect(third?.ok).toBe(true);
    expect(third?.version).toBe(1);
    expect(second?.parentId).toBe(first?.id);
    expect(third?.parentId).toBe(second?.id);

    const sent = api.userMessages();
    expect(sent[1]).toContain('Do not import os.');
    expect(sent[1]).toContain(
      'Define compress_video_frame, decompress_video_frame at the top level',
    );
    expect(sent[2]).toContain('compress_video_frame returned ndarray: it must return a dict');
  });

  it('writes reports in between that say why', () => {
    const written = reports(run.dataDir);
    expect(written.length).toBe(3);
    const [afterFirst, afterSecond, afterThird] = written;
    const issues = (report: GovernanceReport | undefined): string[] =>
      (report?.failure_analysis.recommendations ?? []).map((r) => r.issue).sort();
    expect(issues(afterFirst)).toEqual(['forbidden_imports', 'missing_function']);
    expect(JSON.stringify(afterFirst?.failure_analysis.patterns)).toContain(
      'imports the forbidden module os',
    );
    expect(JSON.stringify(afterFirst?.failure_analysis.patterns)).toContain(
      'does not define compress_video_frame (it defines my_compress)',
    );
    expect(afterFirst?.system_status.code_evolution_working).toBe(false);
    expect(issues(afterSecond)).toEqual([
      'forbidden_imports',
      'missing_function',
      'return_format_error',
    ]);
    expect(afterThird?.system_status.versions).toBe(1);
    expect(afterThird?.system_status.code_evolution_working).toBe(true);
    expect(afterThird?.system_status.best_version?.attempt_id).toBe(attempts(run.store)[2]?.id);
  });

  it('codec-lab report and codec-lab chat answer from the same data', async () => {
    run.store.close();
    const report = await runCli(['report', '--json', '--data-dir', run.dataDir]);
    expect(report.code).toBe(0);
    const parsed = JSON.parse(report.stdout) as GovernanceReport;
    expect(parsed.failure_analysis.counts).toEqual({
      forbidden_imports: 1,
      return_format_error: 1,
    });
    expect(parsed.system_status.versions).toBe(1);
    expect(reports(run.dataDir)).toHaveLength(4);

    const offline = await runCli([
      'chat',
      '--offline',
      '--data-dir',
      run.dataDir,
      'why is code generation failing?',
    ]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('2 of 3 attempts in the window failed');
    expect(offline.stdout).toContain('imports the forbidden module os');
    expect(offline.stdout).toContain('composed from the data');

    api.requests.length = 0;
    api.reply('Two attempts failed: one imported os, one returned the frame itself.');
    const llm = await runCli(['chat', '--json', '--data-dir', run.dataDir, 'what failed?'], {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: api.baseURL,
    });
    expect(llm.code).toBe(0);
    expect(JSON.parse(llm.stdout)).toMatchObject({
      answer: 'Two attempts failed: one imported os, one returned the frame itself.',
      source: 'llm',
      model: 'claude-sonnet-4-5',
    });
    const request = api.requests[0]?.body;
    expect(request?.tools).toBeUndefined();
    expect(api.userMessages()[0]).toContain('<data>');
    expect(api.userMessages()[0]).toContain('"forbidden_imports":1');
    expect(api.userMessages()[0]).toContain('Question: what failed?');
  }, 120_000);
});
