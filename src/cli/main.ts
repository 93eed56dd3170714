import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, loadGovernanceConfig, loadServerConfig, resolveUserPath } from '../config.js';
import { CodecLabError } from '../errors.js';
import { SqliteStore, dataDirInUse } from '../store/sqlite-store.js';
import { createLogger } from '../logger.js';
import { currentOwner, procLiveness } from '../sandbox/owner.js';
import { reapOrphans } from '../sandbox/reaper.js';
import { evaluateCommand, parseQualities } from './evaluate-command.js';
import { EXIT_INFRASTRUCTURE, EXIT_OK, exitCodeFor } from './exit-codes.js';
import { imageBuildCommand, imageStatusCommand } from './image-command.js';
import { anchorsCommand } from './anchors-command.js';
import { clipsPrepareCommand } from './clips-command.js';
import {
  createChatService,
  createGovernor,
  registerGovernanceCommands,
} from './governance-commands.js';
import { parseDuration, parseUntil } from './durations.js';
import { earlyStageSettings, parseScreenMargin } from './early-flags.js';
import { runCommand, type GeneratorChoice } from './run-command.js';
import { renderStatus, renderVersions, statusJson, versionsJson } from './status-command.js';
import { connectDocker } from './runtime.js';
import { serveCommand } from './serve-command.js';

function positiveInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 1)
      throw new InvalidArgumentError(`${flag} takes a positive integer`);
    return parsed;
  };
}

function positiveNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${flag} takes a positive number`);
    return parsed;
  };
}

function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${flag} takes an integer ≥ 0`);
    return parsed;
  };
}

function portNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('--port takes a port number 0…65535 (0: any free port)');
  return parsed;
}

function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${flag} takes a number ≥ 0`);
    return parsed;
  };
}

/**
 * Every path flag goes through this at parse time: relative to where the user ran the command,
 * whatever directory codec-lab or its child processes work in later.
 */
function userPath(value: string): string {
  return resolveUserPath(value);
}

const write = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** The composition root: flags and environment → config → logger → the command. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const logLevel = process.env.CODEC_LAB_LOG_LEVEL ?? 'info';
  // Logs are JSON lines on stderr, so that stdout carries only the command's answer (--json);
  // a server answers over HTTP, so its log (every request, every loop event) goes to stdout.
  const serving = argv[0] === 'serve' || (argv[0] === 'run' && argv.includes('--serve'));
  const log = createLogger({
    level: logLevel,
    ...(serving ? { destination: process.stdout } : {}),
  });
  const program = new Command()
    .name('codec-lab')
    .description(
      'Autonomous, LLM-driven video codec research: sandboxed evaluation with honest metrics',
    )
    .showHelpAfterError()
    .exitOverride();

  program
    .command('evaluate')
    .description(
      'validate, smoke-test and measure one codec file in the sandbox; stores the attempt',
    )
    .argument(
      '<codec.py>',
      'Python file defining compress_video_frame and decompress_video_frame',
      userPath,
    )
    .option('--json', 'print one JSON object instead of a table')
    .option(
      '--clips <path>',
      'a video file or a folder of them (anything ffmpeg reads); default: the built-in clip',
      userPath,
    )
    .option(
      '--frames <n>',
      'frames per clip (default: all of a prepared set, 30 of your clips, 8 of the built-in one)',
      positiveInt('--frames'),
    )
    .option(
      '--incumbent <codec.py>',
      'compare against this codec and decide whether the new one would be adopted',
      userPath,
    )
    .option(
      '--qualities <list>',
      'quality points in [0, 1] (BD-rate needs at least 4)',
      '0.1,0.3,0.5,0.7,0.9',
    )
    .option('--timeout-s <s>', 'wall-clock limit per sandbox run', positiveNumber('--timeout-s'))
    .option(
      '--memory-mb <m>',
      'memory limit per sandbox run (memory + swap)',
      positiveInt('--memory-mb'),
    )
    .option(
      '--data-dir <dir>',
      'where attempts are stored (default .data or CODEC_LAB_DATA_DIR)',
      userPath,
    )
    .option(
      '--skip-validation',
      'skip the static validator and go straight to the sandbox (the container, not the validator, is the security boundary)',
    )
    .action(async (codecPath: string, flags: Record<string, unknown>) => {
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir as string | undefined,
        timeoutS: flags.timeoutS as number | undefined,
        memoryMb: flags.memoryMb as number | undefined,
      });
      await evaluateCommand(
        config,
        {
          codecPath,
          json: flags.json === true,
          clips: flags.clips as string | undefined,
          frames: flags.frames as number | undefined,
          incumbent: flags.incumbent as string | undefined,
          qualities: parseQualities(flags.qualities as string),
          skipValidation: flags.skipValidation === true,
        },
        log,
        write,
      );
    });

  program
    .command('run')
    .description(
      'the research loop: generate, evaluate, store, adopt, repeat (until a limit or SIGTERM/SIGINT)',
    )
    .option(
      '--generator <name>',
      'anthropic | offline | replay (default: anthropic when a key is configured, else offline)',
    )
    .option('--replay-dir <dir>', 'recorded responses for --generator replay', userPath)
    .option('--seed <n>', 'seed of the offline generator', positiveInt('--seed'), 1)
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
    .option('--serve', 'also run the status server and dashboard (see `codec-lab serve`)')
    .option('--port <n>', 'port of the status server with --serve (default 8080)', portNumber)
    .option(
      '--clips <path>',
      'a video file or folder (default: the prepared dev set, else the built-in clip)',
      userPath,
    )
    .option('--frames <n>', 'frames per clip', positiveInt('--frames'))
    .option('--qualities <list>', 'quality points in [0, 1]', '0.1,0.3,0.5,0.7,0.9')
    .option('--timeout-s <s>', 'wall-clock limit per sandbox run', positiveNumber('--timeout-s'))
    .option('--memory-mb <m>', 'memory limit per sandbox run', positiveInt('--memory-mb'))
    .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)', userPath)
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
    .action(async (flags: Record<string, unknown>) => {
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir as string | undefined,
        timeoutS: flags.timeoutS as number | undefined,
        memoryMb: flags.memoryMb as number | undefined,
      });
      const governance = loadGovernanceConfig(process.env, {
        lookbackMs:
          flags.lookback === undefined
            ? undefined
            : parseDuration(flags.lookback as string, '--lookback'),
        triggerFailures: flags.triggerFailures as number | undefined,
        maxRepairs: flags.maxRepairs as number | undefined,
      });
      if (flags.port !== undefined && flags.serve !== true) {
        throw new CodecLabError('USAGE', '--port needs --serve');
      }
      const generator = flags.generator as string | undefined;
      if (generator !== undefined && !['anthropic', 'offline', 'replay'].includes(generator)) {
        throw new CodecLabError(
          'USAGE',
          `--generator is anthropic, offline or replay, not '${generator}'`,
        );
      }
      const summary = await runCommand(
        config,
        {
          generator: generator as GeneratorChoice | undefined,
          replayDir: flags.replayDir as string | undefined,
          seed: flags.seed as number,
          iterations: flags.iterations as number | undefined,
          untilMs:
            flags.until === undefined ? undefined : parseUntil(flags.until as string, Date.now()),
          maxAttempts: flags.maxAttempts as number | undefined,
          maxDollars: flags.maxDollars as number | undefined,
          intervalS: flags.intervalS as number,
          parallel: flags.parallel as number,
          clips: flags.clips as string | undefined,
          frames: flags.frames as number | undefined,
          qualities: parseQualities(flags.qualities as string),
          governance,
          earlyStages: earlyStageSettings(flags),
          serve:
            flags.serve === true
              ? loadServerConfig(process.env, { port: flags.port as number | undefined })
              : undefined,
        },
        log,
        process.stderr.isTTY === true,
      );
      write(summary);
    });

  for (const [name, description] of [
    ['status', 'what is running, success rate, time to first success, versions, cost so far'],
    ['versions', 'the adopted codec versions, oldest first, with their BD-rates'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .option('--json', 'print JSON')
      .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)', userPath)
      .action((flags: { json?: boolean; dataDir?: string }) => {
        const config = loadConfig(process.env, { dataDir: flags.dataDir });
        const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
        try {
          if (name === 'versions') {
            const versions = versionsJson(store);
            write(flags.json ? JSON.stringify(versions) : renderVersions(versions));
            return;
          }
          const running = dataDirInUse(config.dataDir);
          const status = statusJson(store);
          write(
            flags.json
              ? JSON.stringify({ running, data_dir: config.dataDir, ...status })
              : renderStatus(
                  status,
                  `${config.dataDir}: ${running ? 'a codec-lab run is working here' : 'no run is working here'}`,
                ),
          );
        } finally {
          store.close();
        }
      });
  }

  registerGovernanceCommands(program, log, write);

  program
    .command('serve')
    .description(
      'the status server: JSON API, Prometheus /metrics, the dashboard and the admin chat (read-only next to a run)',
    )
    .option(
      '--port <n>',
      'port (default 8080 or CODEC_LAB_PORT; binds CODEC_LAB_HOST, default 127.0.0.1)',
      portNumber,
    )
    .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)', userPath)
    .action(async (flags: { port?: number; dataDir?: string }) => {
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      const server = loadServerConfig(process.env, { port: flags.port });
      const governance = loadGovernanceConfig(process.env);
      await serveCommand(config, server, log, (store) =>
        createChatService(
          config,
          createGovernor(config, governance, store, log, { writeReports: false }),
          store,
          log,
        ),
      );
    });

  program
    .command('anchors')
    .description(
      'measure (or read from the cache) per-frame JPEG, x264 and x265 on the clips, and their BD-rates',
    )
    .option('--json', 'print one JSON object instead of tables')
    .option(
      '--clips <path>',
      'a video file or folder (default: the prepared dev set, else the built-in clip)',
      userPath,
    )
    .option('--frames <n>', 'frames per clip', positiveInt('--frames'))
    .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)', userPath)
    .action(
      async (flags: { json?: boolean; clips?: string; frames?: number; dataDir?: string }) => {
        const config = loadConfig(process.env, { dataDir: flags.dataDir });
        await anchorsCommand(
          config,
          { json: flags.json === true, clips: flags.clips, frames: flags.frames },
          log,
          write,
        );
      },
    );

  const clips = program.command('clips').description('the clip sets evaluations run on');
  clips
    .command('prepare')
    .description(
      'build the dev, holdout and smoke clip sets from real footage and photographs in Debian packages (offline-reachable)',
    )
    .option(
      '--out <dir>',
      'where the sets go (default: <data-dir>/clips, where evaluate looks)',
      userPath,
    )
    .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)', userPath)
    .action(async (flags: { out?: string; dataDir?: string }) => {
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      await clipsPrepareCommand(config, flags.out, write, (line) =>
        process.stderr.write(`[clips] ${line}\n`),
      );
    });

  const image = program.command('image').description('the sandbox image');
  image
    .command('build')
    .description(
      'build the sandbox image offline (debootstrap + docker import), cached by a hash of its recipe',
    )
    .option('--force', 'rebuild even if an image for this recipe exists')
    .option('--mirror <url>', 'Debian mirror for debootstrap')
    .action(async (flags: { force?: boolean; mirror?: string }) => {
      const config = loadConfig(process.env);
      const docker = await connectDocker(log);
      await imageBuildCommand(
        docker,
        { force: flags.force === true, cacheDir: config.cacheDir, mirror: flags.mirror },
        (line) => process.stderr.write(`[image] ${line}\n`),
      );
    });
  image
    .command('status')
    .description('print the sandbox image for this recipe, or that it is missing (exit 3)')
    .action(async () => {
      const config = loadConfig(process.env);
      const docker = await connectDocker(log);
      if (!(await imageStatusCommand(docker, config.sandboxImage, write)))
        exitCode = EXIT_INFRASTRUCTURE;
    });

  program
    .command('reap')
    .description('remove sandbox containers left behind by codec-lab processes that died')
    .action(async () => {
      const docker = await connectDocker(log);
      const result = await reapOrphans(docker, currentOwner(), procLiveness, Date.now(), log);
      write(
        `removed ${result.removed} orphaned sandbox container(s); ${result.kept} belong to live codec-lab processes`,
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version')
      return EXIT_OK;
    if (commanderCode?.startsWith('commander.')) return 2;
    process.stderr.write(`codec-lab: ${(error as Error).message}\n`);
    const code = exitCodeFor(error);
    if (code === 1) log.error({ err: error }, 'unexpected failure');
    return code;
  }
  return exitCode;
}
