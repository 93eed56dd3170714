import Docker from 'dockerode';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { DockerSandbox } from '../sandbox/docker-sandbox.js';
import { checkDocker, findSandboxImage } from '../sandbox/image.js';
import { currentOwner, procLiveness } from '../sandbox/owner.js';
import { warmPoolSize } from '../sandbox/pool-size.js';
import { reapOrphans } from '../sandbox/reaper.js';

/**
 * The Docker side of a command: engine reachable, orphans of earlier (crashed) runs reaped,
 * image present, sandbox open. Every codec-lab command that touches Docker starts here.
 */
export async function connectDocker(log: Logger): Promise<Docker> {
  const docker = new Docker();
  await checkDocker(docker);
  const reaped = await reapOrphans(docker, currentOwner(), procLiveness, Date.now(), log);
  if (reaped.removed > 0)
    log.info({ removed: reaped.removed }, 'removed orphaned sandbox containers');
  return docker;
}

export async function openSandbox(
  docker: Docker,
  config: Config,
  log: Logger,
  plan: { readonly batching: boolean; readonly containersInFlight: number } = {
    batching: true,
    containersInFlight: config.sandbox.concurrency,
  },
): Promise<DockerSandbox> {
  const image = await findSandboxImage(docker, config.sandboxImage);
  return DockerSandbox.open({
    docker,
    image,
    limits: config.sandbox,
    poolSize: warmPoolSize(config.sandbox.poolSize, plan),
    owner: currentOwner(),
    log: log.child({ component: 'sandbox' }),
  });
}

/**
 * Closes `resource` when the process is asked to stop (Ctrl-C, SIGTERM), so no container
 * outlives the command. Returns a function that removes the handlers.
 */
export function closeOnSignal(resource: { close(): Promise<void> }, log: Logger): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    log.warn({ signal }, 'stopping: removing sandbox containers');
    void resource.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
