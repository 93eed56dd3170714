import { Command } from 'commander';
import { createLogger } from '../logger.js';
import type { CliContext } from './cli-context.js';
import { registerAnchors } from './commands/anchors.js';
import { registerChat } from './commands/chat.js';
import { registerClips } from './commands/clips.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerImage } from './commands/image.js';
import { registerPlot } from './commands/plot.js';
import { registerReap } from './commands/reap.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerVersions } from './commands/versions.js';
import { EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, exitCodeFor } from './exit-codes.js';

/** Commander's own outcomes (help, version, usage errors) carry a `commander.*` code. */
function commanderCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' && error.code.startsWith('commander.')
    ? error.code
    : undefined;
}

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
  const context: CliContext = {
    log,
    write: (text) => {
      process.stdout.write(`${text}\n`);
    },
    exitWith: (code) => {
      exitCode = code;
    },
  };
  const program = new Command()
    .name('codec-lab')
    .description(
      'Autonomous, LLM-driven video codec research: sandboxed evaluation with honest metrics',
    )
    .showHelpAfterError()
    .exitOverride();
  // In this order in `codec-lab --help`.
  for (const register of [
    registerEvaluate,
    registerRun,
    registerStatus,
    registerVersions,
    registerPlot,
    registerReport,
    registerChat,
    registerServe,
    registerAnchors,
    registerClips,
    registerImage,
    registerReap,
  ]) {
    register(program, context);
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const commander = commanderCode(error);
    if (commander === 'commander.helpDisplayed' || commander === 'commander.version')
      return EXIT_OK;
    if (commander !== undefined) return EXIT_USAGE;
    process.stderr.write(`codec-lab: ${error instanceof Error ? error.message : String(error)}\n`);
    const code = exitCodeFor(error);
    if (code === EXIT_UNEXPECTED) log.error({ err: error }, 'unexpected failure');
    return code;
  }
  return exitCode;
}
