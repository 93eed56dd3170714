import type { Command } from 'commander';
import { currentOwner, procLiveness } from '../../sandbox/owner.js';
import { reapOrphans } from '../../sandbox/reaper.js';
import type { CliContext } from '../cli-context.js';
import { connectDocker } from '../runtime.js';

/** `codec-lab reap`: sandbox containers whose codec-lab process died. */
export function registerReap(program: Command, { log, write }: CliContext): void {
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
}
