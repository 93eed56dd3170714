import type Docker from 'dockerode';
import type { Logger } from '../logger.js';
import { EXPIRES_LABEL, OWNER_LABEL, SANDBOX_LABEL } from './hardening.js';
import { formatOwner, parseOwner, type Liveness, type Owner } from './owner.js';

export interface ContainerFacts {
  readonly labels: Readonly<Record<string, string>>;
}

export type ReapVerdict = 'keep' | 'owner-dead' | 'expired' | 'unowned';

/**
 * Pure: may this sandbox container be removed by `self`? Containers of a live owner on this
 * host are kept until they expire; containers of another host (another worker, a previous
 * worker container) are removed only once expired; ours are never reaped here.
 */
export function reapVerdict(
  facts: ContainerFacts,
  self: Owner,
  liveness: Liveness,
  nowMs: number,
): ReapVerdict {
  const ownerLabel = facts.labels[OWNER_LABEL];
  if (ownerLabel === formatOwner(self)) return 'keep';
  const expiresLabel = facts.labels[EXPIRES_LABEL] ?? '';
  const expiresAt = /^\d+$/.test(expiresLabel) ? Number(expiresLabel) : Number.NaN;
  const expired = Number.isFinite(expiresAt) && nowMs > expiresAt;
  const owner = parseOwner(ownerLabel);
  if (owner === null) return 'unowned';
  if (owner.host === liveness.host) {
    const ticks = liveness.startTicksOf(owner.pid);
    if (ticks === null || ticks !== owner.startTicks) return 'owner-dead';
  }
  return expired ? 'expired' : 'keep';
}

export interface ReapResult {
  readonly removed: number;
  readonly kept: number;
}

/** Removes orphaned sandbox containers (run at start-up and periodically). */
export async function reapOrphans(
  docker: Docker,
  self: Owner,
  liveness: Liveness,
  nowMs: number,
  log: Logger,
): Promise<ReapResult> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${SANDBOX_LABEL}=1`] },
  });
  let removed = 0;
  let kept = 0;
  for (const info of containers) {
    const verdict = reapVerdict({ labels: info.Labels }, self, liveness, nowMs);
    if (verdict === 'keep') {
      kept += 1;
      continue;
    }
    try {
      await docker.getContainer(info.Id).remove({ force: true });
      removed += 1;
      log.info({ containerId: info.Id.slice(0, 12), verdict }, 'reaped orphaned sandbox container');
    } catch (err) {
      // Already gone (its owner removed it meanwhile) is fine; anything else is worth a line.
      if ((err as { statusCode?: number }).statusCode !== 404) {
        log.warn(
          { err, containerId: info.Id.slice(0, 12) },
          'could not remove orphaned sandbox container',
        );
      }
    }
  }
  return { removed, kept };
}
