import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, loadGovernanceConfig, loadServerConfig } from '../../config.js';
import { DEFAULT_QUALITIES } from '../../contract.js';
import { ANCHOR_PRESET_FLAG, ANCHOR_PRESET_HELP, anchorPresetSchema } from '../anchor-runtime.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { parseDuration, parseUntil } from '../durations.js';
import { parseQualities } from '../evaluate-command.js';
import {
  nonNegativeInt,
  nonNegativeNumber,
  portNumber,
  positiveInt,
  positiveNumber,
  userPath,
} from '../flag-parsers.js';
import { earlyStageSettings, parseScreenMargin } from '../early-flags.js';
import { GENERATOR_CHOICES, runCommand } from '../run-command.js';
import { MODEL_POLICIES } from '../../generators/ensemble/policies.js';
import { clipInput, clipInputFlags, clipInputOption } from '../clip-input-flags.js';
import { modelFlags, modelOption, modelOverrides } from '../model-flags.js';
import { converted, flag, parseFlags } from '../typed-flags.js';
import { DEFAULT_TUNE_BUDGET, positiveBudget } from '../tune-flags.js';

const runFlags = z
  .object({
    generator: z
      .enum(GENERATOR_CHOICES, {
        error: (issue) =>
          `--generator is anthropic, openai, offline or replay, not '${String(issue.input)}'`,
      })
      .optional(),
    replayDir: z.string().optional(),
    ...modelFlags,
    models: z.string().optional(),
    modelPolicy: z
      .enum(MODEL_POLICIES, {
        error: (issue) => `--model-policy is weighted or bandit, not '${String(issue.input)}'`,
      })
      .optional(),
    seed: z.number(),
    iterations: z.number().optional(),
    until: converted((text) => parseUntil(text, Date.now())).optional(),
    maxAttempts: z.number().optional(),
    maxDollars: z.number().optional(),
    intervalS: z.number(),
    parallel: z.number(),
    batching: z.boolean().optional(),
    screening: z.boolean().optional(),
    dedup: z.boolean().optional(),
    screenMargin: z.number().optional(),
    serve: flag,
    port: z.number().optional(),
    clips: z.string().optional(),
    holdout: z.string().optional(),
    frames: z.number().optional(),
    ...clipInputFlags,
    qualities: converted(parseQualities),
    timeoutS: z.number().optional(),
    memoryMb: z.number().optional(),
    dataDir: z.string().optional(),
    lookback: converted((text) => parseDuration(text, '--lookback')).optional(),
    triggerFailures: z.number().optional(),
    maxRepairs: z.number().optional(),
    anchorPreset: anchorPresetSchema,
    tune: z.boolean().optional(),
    tuneBudget: z.number(),
  })
  .refine((flags) => flags.port === undefined || flags.serve === true, {
    error: '--port needs --serve',
    // Checked even when another flag is bad, so that every problem is reported at once.
    when: () => true,
  })
  .refine((flags) => flags.models === undefined || flags.generator === undefined, {
    error: '--models chooses the generators itself: leave out --generator',
    when: () => true,
  })
  .refine(
    (flags) =>
      flags.models === undefined || (flags.model === undefined && flags.baseUrl === undefined),
    {
      error:
        "--models names every member's model and base_url itself: leave out --model and --base-url (put them in the file's entries)",
      when: () => true,
    },
  )
  .refine((flags) => flags.modelPolicy === undefined || flags.models !== undefined, {
    error: '--model-policy needs --models FILE',
    when: () => true,
  });

/** `codec-lab run`: the research loop (run-command.ts) with its limits and settings. */
export function registerRun(program: Command, { log, write }: CliContext): void {
  program
    .command('run')
    .description(
      'the research loop: generate, evaluate, store, adopt, repeat (until a limit or SIGTERM/SIGINT)',
    )
    .option(
      '--generator <name>',
      'anthropic | openai (any OpenAI-compatible server) | offline | replay (default: anthropic when a key is configured, else offline)',
    )
    .addOption(modelOption('model'))
    .addOption(modelOption('baseUrl'))
    .option('--replay-dir <dir>', 'recorded responses for --generator replay', userPath)
    .option(
      '--models <file>',
      'an ensemble: a JSON list of {name, provider, model, base_url?, weight?, price_in_per_mtok?, price_out_per_mtok?}',
      userPath,
    )
    .option(
      '--model-policy <policy>',
      'which --models member writes each attempt: bandit (UCB on improvement per dollar, the default) or weighted (seeded, by weight)',
    )
    .option(
      '--seed <n>',
      'seed of the offline generator and of --model-policy weighted',
      positiveInt('--seed'),
      1,
    )
    .option('--iterations <n>', 'stop after this many iterations', positiveInt('--iterations'))
    .option('--until <when>', 'stop at a duration from now (90m, 2h, 1d) or an ISO time')
    .option(
      '--max-attempts <n>',
      'stop once the store holds this many attempts',
      positiveInt('--max-attempts'),
    )
    .option(
      '--max-dollars <x>',
      'stop once the API cost reaches this',
      positiveNumber('--max-dollars'),
    )
    .option(
      '--interval-s <s>',
      'pause between iterations (the seed ran every 60 s)',
      nonNegativeNumber('--interval-s'),
      0,
    )
    .option('--parallel <n>', 'candidates evaluated at once', positiveInt('--parallel'), 1)
    .option(
      '--no-batching',
      'one encoder and one decoder container per (clip, quality) instead of one per clip and one per quality',
    )
    .option(
      '--tune-budget <n>',
      "proxy evaluations spent tuning each candidate's TUNABLES before its sweep",
      positiveBudget,
      DEFAULT_TUNE_BUDGET,
    )
    .option('--no-tune', "don't tune candidates' TUNABLES (their defaults run)")
    .option('--serve', 'also run the status server and dashboard (see `codec-lab serve`)')
    .option('--port <n>', 'port of the status server with --serve (default 8080)', portNumber)
    .option(
      '--clips <path>',
      'a video file or folder (default: the prepared dev set, else the built-in clip)',
      userPath,
    )
    .option(
      '--holdout <path>',
      'holdout clips (a file or folder, read like --clips) that confirm each adoption; default: --clips split by the documented rule (3+ clips: every third by name; fewer: the last third of each clip)',
      userPath,
    )
    .option('--frames <n>', 'frames per clip', positiveInt('--frames'))
    .addOption(clipInputOption('start'))
    .addOption(clipInputOption('size'))
    .addOption(clipInputOption('pixFmt'))
    .addOption(clipInputOption('fps'))
    .option('--qualities <list>', 'quality points in [0, 1]', DEFAULT_QUALITIES.join(','))
    .option('--timeout-s <s>', 'wall-clock limit per sandbox run', positiveNumber('--timeout-s'))
    .option('--memory-mb <m>', 'memory limit per sandbox run', positiveInt('--memory-mb'))
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .option(ANCHOR_PRESET_FLAG, ANCHOR_PRESET_HELP)
    .option(
      '--lookback <duration>',
      "the self-debugger's analysis window (default 1h or CODEC_LAB_LOOKBACK_S)",
    )
    .option(
      '--trigger-failures <n>',
      'failures in the window past which every prompt carries the recommendations (default 5)',
      nonNegativeInt('--trigger-failures'),
    )
    .option(
      '--max-repairs <n>',
      'repair attempts of a failed candidate before returning to its parent (default 2)',
      nonNegativeInt('--max-repairs'),
    )
    .option('--no-screening', 'evaluate every candidate in full (no screening stage)')
    .option('--no-dedup', 'evaluate candidates that behave exactly like an earlier attempt')
    .option(
      '--screen-margin <pct>',
      'screening stops a candidate whose BD-rate against the incumbent on the screening clip exceeds this (default +15 %)',
      parseScreenMargin,
    )
    .action(async (values: unknown) => {
      const flags = parseFlags(runFlags, values);
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir,
        timeoutS: flags.timeoutS,
        memoryMb: flags.memoryMb,
        ...modelOverrides(flags.generator === 'openai' ? 'openai' : 'anthropic', flags),
      });
      const governance = loadGovernanceConfig(process.env, {
        lookbackMs: flags.lookback,
        triggerFailures: flags.triggerFailures,
        maxRepairs: flags.maxRepairs,
      });
      const summary = await runCommand(
        config,
        {
          generator: flags.generator,
          modelFlags: flags.model !== undefined || flags.baseUrl !== undefined,
          replayDir: flags.replayDir,
          models: flags.models,
          modelPolicy: flags.modelPolicy,
          seed: flags.seed,
          iterations: flags.iterations,
          untilMs: flags.until,
          maxAttempts: flags.maxAttempts,
          maxDollars: flags.maxDollars,
          intervalS: flags.intervalS,
          parallel: flags.parallel,
          clips: flags.clips,
          holdout: flags.holdout,
          frames: flags.frames,
          input: clipInput(flags),
          qualities: flags.qualities,
          governance,
          batching: flags.batching !== false,
          earlyStages: earlyStageSettings(flags),
          anchorPreset: flags.anchorPreset,
          tuneBudget: flags.tune === false ? null : flags.tuneBudget,
          serve: flags.serve ? loadServerConfig(process.env, { port: flags.port }) : undefined,
        },
        log,
        process.stderr.isTTY === true,
      );
      write(summary);
    });
}
