import { readFileSync } from 'node:fs';
import type { X26xPreset } from '../anchors/anchor-point.js';
import { JPEG_ANCHOR_CODEC } from '../anchors/jpeg-anchor.js';
import type { Config, GovernanceConfig, ServerConfig } from '../config.js';
import { loadContract } from '../contract.js';
import { CodecLabError } from '../errors.js';
import { DEFAULT_ADOPTION_POLICY } from '../evaluation/adoption.js';
import { Evaluator } from '../evaluation/evaluator.js';
import { evaluatorPorts } from '../assessment/assessment.js';
import type { CodeGenerator, ModelClient } from '../generators/generator.js';
import { OfflineGenerator } from '../generators/offline/offline-generator.js';
import { ReplayGenerator } from '../generators/replay-generator.js';
import type { Logger } from '../logger.js';
import { systemClock } from '../loop/clock.js';
import type { IterationReport } from '../loop/iteration-report.js';
import { ResearchLoop } from '../loop/research-loop.js';
import type { EarlyStageSettings } from '../loop/early-plan.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { anchorMeasurer } from './anchor-runtime.js';
import { describeSplit } from '../clips/holdout-split.js';
import { type ClipInput, selectClips } from './clip-selection.js';
import { createChatService, createGovernor } from './governance-runtime.js';
import type { ModelPolicy } from '../generators/ensemble/policies.js';
import type { Store } from '../store/store.js';
import {
  createEnsemble,
  createLlmGenerator,
  llmConfigured,
  modelPriceRecord,
  readModelsFile,
} from './llm-runtime.js';
import { connectDocker, openSandbox } from './runtime.js';
import { serveLoop, type LoopServer } from './serve-command.js';
import { DEFAULT_TUNE_BUDGET } from './tune-flags.js';

export const GENERATOR_CHOICES = ['anthropic', 'openai', 'offline', 'replay'] as const;
export type GeneratorChoice = (typeof GENERATOR_CHOICES)[number];

export interface RunCommandOptions {
  readonly generator?: GeneratorChoice | undefined;
  /** `--model` or `--base-url` was given (already in `config`): only an LLM generator reads them. */
  readonly modelFlags?: boolean | undefined;
  readonly replayDir?: string | undefined;
  /** `--models FILE`: an ensemble instead of one generator (docs/ARCHITECTURE.md §10.2). */
  readonly models?: string | undefined;
  /** `--model-policy`, with --models (default bandit). */
  readonly modelPolicy?: ModelPolicy | undefined;
  readonly seed: number;
  readonly iterations?: number | undefined;
  readonly untilMs?: number | undefined;
  readonly maxAttempts?: number | undefined;
  readonly maxDollars?: number | undefined;
  readonly intervalS: number;
  readonly parallel: number;
  readonly clips?: string | undefined;
  /** `--holdout PATH`; without it `--clips` is split by the documented rule. */
  readonly holdout?: string | undefined;
  readonly frames?: number | undefined;
  /** `--start`, and what raw `.yuv` clips hold. */
  readonly input?: ClipInput | undefined;
  readonly qualities: readonly number[];
  /** Also run the status server in this process (`run --serve`), controlling this loop. */
  readonly serve?: ServerConfig | undefined;
  /** The self-debugger's window, trigger and repairs. */
  readonly governance: GovernanceConfig;
  /** False: the per-point protocol (one encoder and one decoder container per point). */
  readonly batching?: boolean | undefined;
  /** Behavioural dedup and screening (`--no-dedup`, `--no-screening`, `--screen-margin`). */
  readonly earlyStages?: EarlyStageSettings;
  /** x264 and x265's preset for the anchors (`--anchor-preset`). */
  readonly anchorPreset?: X26xPreset | undefined;
  /** Proxy evaluations per candidate's tuning (`--tune-budget`); null: `--no-tune`. Default 12. */
  readonly tuneBudget?: number | null | undefined;
}

/**
 * The ensemble with --models; else Anthropic when a key is configured (environment or Secrets
 * Manager region); else offline.
 */
async function createGenerator(
  config: Config,
  options: RunCommandOptions,
  store: Store,
  log: Logger,
): Promise<CodeGenerator> {
  if (options.models !== undefined) {
    const specs = readModelsFile(options.models);
    return createEnsemble(
      config,
      specs,
      { policy: options.modelPolicy ?? 'bandit', seed: options.seed },
      store,
      log,
    );
  }
  const choice = options.generator ?? (llmConfigured(config) ? 'anthropic' : 'offline');
  if (options.modelFlags === true && (choice === 'offline' || choice === 'replay')) {
    throw new CodecLabError(
      'USAGE',
      `--model and --base-url apply to --generator anthropic or openai, not ${choice}` +
        (options.generator === undefined ? ' (the default without an Anthropic key)' : ''),
    );
  }
  switch (choice) {
    case 'offline':
      return new OfflineGenerator({ seed: options.seed });
    case 'replay':
      if (!options.replayDir) {
        throw new CodecLabError(
          'USAGE',
          '--generator replay needs --replay-dir DIR with the recorded responses',
        );
      }
      return new ReplayGenerator(options.replayDir);
    case 'anthropic':
    case 'openai':
      return createLlmGenerator(config, choice, log);
  }
}

/** The LLM generators also answer the admin chat (one key fetch, one client). */
function isModelClient(generator: CodeGenerator): generator is CodeGenerator & ModelClient {
  return typeof (generator as Partial<ModelClient>).complete === 'function';
}

function progressLine(report: IterationReport): string {
  const bd = (value: number | null): string =>
    value === null ? '   n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
  const outcome =
    report.outcome === 'adopted'
      ? `ADOPTED v${report.version}`
      : report.outcome === 'failed'
        ? `failed at ${report.stage}: ${report.category ?? ''}`
        : report.outcome === 'screened'
          ? 'screened out (worse, stopped early)'
          : report.outcome === 'duplicate_behaviour'
            ? 'no behavioural change'
            : report.outcome;
  return `#${String(report.iteration).padStart(3)} attempt ${report.attemptId ?? '-'}  ${outcome.padEnd(34)} vs best ${bd(report.bdRateVsIncumbentPct).padStart(7)}  vs jpeg ${bd(report.bdRateVsJpegPct).padStart(7)}  gen ${(report.generationMs / 1000).toFixed(1)}s eval ${(report.evaluationMs / 1000).toFixed(1)}s`;
}

/**
 * `codec-lab run`: the loop until a limit or a signal. SIGTERM/SIGINT stop it after the
 * attempt in flight is stored (a second signal abandons it; the reaper and the store's repair
 * at the next start clean up).
 */
export async function runCommand(
  config: Config,
  options: RunCommandOptions,
  log: Logger,
  tty: boolean,
): Promise<string> {
  const selection = await selectClips(
    config,
    options.clips,
    options.frames,
    { path: options.holdout, needed: true },
    options.input,
  );
  // Printed whatever the log level: which frames the search may learn from and which only
  // confirm an adoption is part of what the run means.
  process.stderr.write(`${describeSplit(selection.split).join('\n')}\n`);
  const store = SqliteStore.open({
    dataDir: config.dataDir,
    log: log.child({ component: 'store' }),
  });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    log.warn({ signal }, signals === 1 ? 'stopping after the attempt in flight' : 'stopping now');
    controller.abort();
    if (signals > 1) process.exitCode = 130;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const generator = await createGenerator(config, options, store, log);
    const docker = await connectDocker(log);
    const batching = options.batching !== false;
    const sandbox = await openSandbox(docker, config, log, {
      batching,
      containersInFlight: config.sandbox.concurrency * options.parallel,
    });
    let serving: LoopServer | null = null;
    const governor = createGovernor(config, options.governance, store, log, {
      writeReports: true,
    });
    try {
      if (options.serve) {
        serving = await serveLoop({
          config,
          server: options.serve,
          store,
          log,
          docker,
          chat: await createChatService(
            config,
            governor,
            store,
            log,
            isModelClient(generator) ? { model: generator } : {},
          ),
        });
      }
      const prices = modelPriceRecord(generator);
      const evaluator = new Evaluator(
        sandbox,
        log.child({ component: 'evaluator' }),
        config.sandbox.concurrency,
      );
      const loop = new ResearchLoop({
        store,
        generator,
        ports: evaluatorPorts(
          evaluator,
          anchorMeasurer(config, evaluator, sandbox, log, options.anchorPreset),
          {
            batching,
          },
        ),
        contract: loadContract(),
        clips: selection.clips,
        holdout: selection.holdout,
        settings: {
          clip_split: selection.split,
          ...(prices === null ? {} : { model_prices: prices }),
        },
        qualities: options.qualities,
        policy: DEFAULT_ADOPTION_POLICY,
        log: log.child({ component: 'loop' }),
        clock: systemClock,
        recommendations: governor,
        // Ignored for a generator that does not build on its parent (capabilities.repairsParent).
        maxRepairs: options.governance.maxRepairs,
        ...(options.earlyStages ? { earlyStages: options.earlyStages } : {}),
        ...(options.tuneBudget === null
          ? {}
          : {
              tuning: {
                budget: options.tuneBudget ?? DEFAULT_TUNE_BUDGET,
                seed: options.seed,
                jpegCode: readFileSync(JPEG_ANCHOR_CODEC),
              },
            }),
        onIteration: (report: IterationReport) => {
          if (tty) process.stderr.write(`${progressLine(report)}\n`);
          serving?.onIteration(report);
        },
        ...(serving ? { control: serving.control } : {}),
      });
      log.info(
        {
          generator: generator.name,
          clips: selection.description,
          holdout: selection.holdout?.length ?? 0,
          split: selection.split,
        },
        'research loop starting',
      );
      if (selection.holdout === null) {
        // Not silent: without a holdout set the adoption rule cannot confirm a candidate, so
        // nothing after v1 can be adopted. Only the built-in clip (and a prepared dev set
        // without its holdout set) gets here: user clips are split or given --holdout.
        const warning =
          'no holdout clip set: after the first version nothing can be adopted (the rule needs the holdout to confirm); run `codec-lab clips prepare` for the dev and holdout sets, or pass --clips (split by the documented rule) or --holdout';
        log.warn({ clips: selection.description }, warning);
        if (tty) process.stderr.write(`warning: ${warning}\n`);
      }
      const summary = await loop.run({
        ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
        ...(options.untilMs === undefined ? {} : { untilMs: options.untilMs }),
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        ...(options.maxDollars === undefined ? {} : { maxDollars: options.maxDollars }),
        intervalMs: options.intervalS * 1000,
        parallel: options.parallel,
        signal: controller.signal,
      });
      log.info({ ...summary }, 'research loop stopped');
      return `stopped (${summary.stoppedBecause}): ${summary.iterations} iterations, ${summary.attempts} attempts stored, ${summary.adopted} adopted, ${summary.duplicates} duplicates skipped`;
    } finally {
      await serving?.close();
      await sandbox.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
}
