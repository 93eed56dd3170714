import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import type { CliContext } from '../cli-context.js';
import { EXIT_INFRASTRUCTURE } from '../exit-codes.js';
import { imageBuildCommand, imageStatusCommand } from '../image-command.js';
import { connectDocker } from '../runtime.js';
import { flag, parseFlags } from '../typed-flags.js';

const buildFlags = z.object({ force: flag, mirror: z.string().optional() });

/** `codec-lab image build` and `image status`: the sandbox image (image-command.ts). */
export function registerImage(program: Command, context: CliContext): void {
  const { log, write } = context;
  const image = program.command('image').description('the sandbox image');
  image
    .command('build')
    .description(
      'build the sandbox image offline (debootstrap + docker import), cached by a hash of its recipe',
    )
    .option('--force', 'rebuild even if an image for this recipe exists')
    .option('--mirror <url>', 'Debian mirror for debootstrap')
    .action(async (values: unknown) => {
      const flags = parseFlags(buildFlags, values);
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
        context.exitWith(EXIT_INFRASTRUCTURE);
    });
}
