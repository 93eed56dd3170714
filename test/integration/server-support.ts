/**
 * A data dir with real attempts for the server's browser and load tests: the research loop,
 * with the real evaluator and sandbox, evaluates the known-good JPEG codec (adopted as v1, the
 * anchors measured and cached) and a codec that fails in the sandbox; then one stored attempt
 * whose LLM text is hostile markup, and a governance report whose verdict is too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { listAnchors } from '../../src/anchors/anchor-listing.js';
import { anchorMeasurer } from '../../src/cli/anchor-runtime.js';
import { loadConfig } from '../../src/config.js';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import { evaluatorPorts } from '../../src/assessment/assessment.js';
import {
  PROMPTED_CAPABILITIES,
  type CodeGenerator,
  type Generation,
} from '../../src/generators/generator.js';
import { reportFileName } from '../../src/governance/report-files.js';
import { LoopControl } from '../../src/loop/loop-control.js';
import { systemClock } from '../../src/loop/clock.js';
import type { IterationReport } from '../../src/loop/iteration-report.js';
import { ResearchLoop } from '../../src/loop/research-loop.js';
import { AdminGuard } from '../../src/server/admin-auth.js';
import { createApp } from '../../src/server/app.js';
import { dockerHealthChecks } from '../../src/server/docker-health.js';
import { LiveMetrics } from '../../src/server/live-metrics.js';
import type { ServerServices } from '../../src/server/services.js';
import { latestReport } from '../../src/governance/report-files.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { codeSha256, type Store } from '../../src/store/store.js';
import { report } from '../unit/server-fakes.js';
import { JPEG_CODEC, silentLog } from './support.js';

export const QUALITIES = [0.2, 0.4, 0.6, 0.8] as const;
export const HOSTILE_SCRIPT = '<script>window.__pwned=1</script>';
export const HOSTILE_IMG = '<img src=x onerror="window.__pwned=2">';

export const FAILING_CODEC = [
  'import numpy as np',
  '',
  'def compress_video_frame(frame, config):',
  "    raise ValueError('this codec always fails')",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return np.zeros((config["height"], config["width"], 3), dtype=np.uint8)',
  '',
].join('\n');

/** Plays the given codecs in order, as an LLM would have written them. */
export class ScriptedGenerator implements CodeGenerator {
  readonly name = 'scripted';
  readonly capabilities = PROMPTED_CAPABILITIES;
  constructor(private readonly codes: string[]) {}

  generate(): Promise<Generation> {
    const code = this.codes.shift() ?? FAILING_CODEC;
    return Promise.resolve({
      ok: true,
      code,
      raw: `Here is the codec.\n\`\`\`python\n${code}\`\`\`\n`,
      model: 'scripted-model',
      usage: {
        inputTokens: 1500,
        outputTokens: 700,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0.0123,
      },
    });
  }
}

export function newDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the real loop over `codes` (evaluated in the sandbox) into `store`. */
export function researchLoop(
  store: Store,
  dataDir: string,
  sandbox: DockerSandbox,
  clips: readonly Clip[],
  codes: string[],
  control?: LoopControl,
  onIteration?: (report: IterationReport) => void,
): ResearchLoop {
  const config = loadConfig({ CODEC_LAB_DATA_DIR: dataDir });
  const evaluator = new Evaluator(sandbox, silentLog, 2);
  return new ResearchLoop({
    store,
    generator: new ScriptedGenerator(codes),
    ports: evaluatorPorts(evaluator, anchorMeasurer(config, evaluator, sandbox, silentLog)),
    contract: loadContract(),
    clips,
    holdout: null,
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: silentLog,
    clock: systemClock,
    maxRepairs: 0,
    ...(control ? { control } : {}),
    ...(onIteration ? { onIteration } : {}),
  });
}

export const jpegCodec = (): string => readFileSync(JPEG_CODEC, 'utf8');

/** The hostile attempt and report: LLM text that would run if the page parsed it as HTML. */
export function storeHostileText(store: Store, dataDir: string): void {
  const code = `# ${HOSTILE_SCRIPT}\n${FAILING_CODEC}`;
  store.recordAttempt({
    origin: 'run',
    settings: null,
    code,
    codeSha256: codeSha256(code),
    parentId: null,
    generator: 'anthropic',
    model: 'claude-test',
    prompt: { system: 'system', user: `user ${HOSTILE_IMG}` },
    rawResponse: `Sure! ${HOSTILE_IMG} ${HOSTILE_SCRIPT}\n\`\`\`python\n${code}\`\`\``,
    generationFailure: null,
    stage: 'smoke',
    category: 'runtime_errors',
    failureMessage: `ValueError: ${HOSTILE_SCRIPT} ${HOSTILE_IMG}`,
    failureCause: { key: 'exception:ValueError', subject: { exception: 'ValueError' } },
    traceback: `Traceback (most recent call last):\n  ${HOSTILE_IMG}\nValueError`,
    failureLine: 4,
    findings: [],
    log: `printed ${HOSTILE_SCRIPT}`,
    imageId: null,
    metrics: null,
    assessment: null,
    decision: null,
    usage: {
      inputTokens: 10,
      outputTokens: 10,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.001,
    },
    timings: { generationMs: 5, evaluationMs: 5 },
    createdAtMs: Date.now(),
  });
  const hostileReport = report();
  writeFileSync(join(dataDir, reportFileName(hostileReport)), JSON.stringify(hostileReport));
}

/** The server's services over a real store and the real Docker engine. */
export function realServices(
  store: Store,
  dataDir: string,
  loop: ServerServices['loop'] = null,
  token: string | null = null,
): ServerServices {
  return {
    store,
    dataDir,
    log: silentLog,
    now: Date.now,
    health: dockerHealthChecks(new Docker(), undefined, Date.now),
    running: () => loop !== null,
    latestReport: () => latestReport(dataDir),
    anchors: () => listAnchors(dataDir),
    admin: new AdminGuard(token),
    chat: null,
    loop,
  };
}

export { createApp, LiveMetrics, LoopControl, SqliteStore };
