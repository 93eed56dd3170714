import type Docker from 'dockerode';
import { CodecLabError } from '../errors.js';
import { EXPIRES_LABEL, OWNER_LABEL, SANDBOX_LABEL } from './hardening.js';
import { formatOwner, procLiveness, type Liveness, type Owner } from './owner.js';
import { reapVerdict } from './reaper.js';

/**
 * Processes of a sandbox container that runs no codec: the harness and the zygote it forks
 * before it reads the job (every run is forked from the zygote). More means a run is working.
 */
const IDLE_PROCESSES = 2;

/** Marks the claim container: "this owner wants the host's sandboxes to itself". */
export const ALONE_LABEL = 'codec-lab.alone';
const POLL_MS = 250;

export interface HostClaimsOptions {
  readonly docker: Docker;
  readonly image: string;
  readonly owner: Owner;
  readonly now: () => number;
  readonly liveness?: Liveness;
}

/**
 * Host-wide coordination of the isolation check through the Docker engine every codec-lab
 * process on the host shares (no file lock: worker containers have their own /tmp). A process
 * that needs the host alone creates a never-started claim container labelled ALONE_LABEL;
 * every sandbox run of every process waits before it starts while another live owner's claim
 * exists; two claims are served oldest first. Claims of dead owners are ignored (and reaped
 * like any orphaned sandbox container), and each expires.
 */
export class HostClaims {
  private readonly self: string;
  private readonly liveness: Liveness;
  private checkedAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: HostClaimsOptions) {
    this.self = formatOwner(options.owner);
    this.liveness = options.liveness ?? procLiveness;
  }

  /** Claims the host until `release` is called; resolves once no older claim is left. */
  async claim(expiresAtMs: number, until: number): Promise<() => Promise<void>> {
    let container: Docker.Container;
    try {
      container = await this.options.docker.createContainer({
        Image: this.options.image,
        Cmd: ['true'],
        NetworkDisabled: true,
        Labels: {
          [SANDBOX_LABEL]: '1',
          [ALONE_LABEL]: '1',
          [OWNER_LABEL]: this.self,
          [EXPIRES_LABEL]: String(expiresAtMs),
        },
        HostConfig: { NetworkMode: 'none', AutoRemove: false },
      });
    } catch (cause) {
      throw new CodecLabError('SANDBOX_FAILED', 'could not claim the host for an isolated run', {
        cause,
      });
    }
    const release = async (): Promise<void> => {
      await container.remove({ force: true }).catch(() => undefined);
    };
    try {
      for (;;) {
        const mine = await this.claims();
        const own = mine.find((info) => info.Id === container.id);
        const older = mine.filter(
          (info) =>
            info.Labels[OWNER_LABEL] !== this.self &&
            own !== undefined &&
            (info.Created < own.Created || (info.Created === own.Created && info.Id < own.Id)),
        );
        if (older.length === 0) return release;
        if (this.options.now() >= until) {
          throw new CodecLabError(
            'SANDBOX_FAILED',
            'another codec-lab process on this host held its isolation claim for too long; try again when it is done',
          );
        }
        await delay(POLL_MS);
      }
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** Before a sandbox run starts: waits while another live owner claims the host. */
  async waitWhileClaimedByOthers(): Promise<void> {
    // One look per POLL_MS at most: a claim waits for runs already started anyway.
    if (this.options.now() - this.checkedAtMs < POLL_MS) return;
    for (;;) {
      const others = (await this.claims()).filter((info) => info.Labels[OWNER_LABEL] !== this.self);
      if (others.length === 0) {
        this.checkedAtMs = this.options.now();
        return;
      }
      await delay(POLL_MS);
    }
  }

  /**
   * Sandbox containers on this host running anything besides their harness and its zygote
   * (a run is a third process), except the ones in `idle`.
   */
  async busyContainers(idle: ReadonlySet<string>): Promise<string[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.options.docker.listContainers({
        filters: { label: [SANDBOX_LABEL], status: ['running'] },
      });
    } catch (cause) {
      throw new CodecLabError('SANDBOX_FAILED', 'could not list the sandbox containers', {
        cause,
      });
    }
    const busy: string[] = [];
    for (const info of listed) {
      if (idle.has(info.Id)) continue;
      try {
        const top = (await this.options.docker.getContainer(info.Id).top()) as {
          Processes?: unknown[][];
        };
        if ((top.Processes ?? []).length > IDLE_PROCESSES) busy.push(info.Id);
      } catch {
        // Gone (or going) between the listing and the look: it runs nothing any more.
      }
    }
    return busy;
  }

  /** Live claims on this host (any owner), oldest first. */
  private async claims(): Promise<Docker.ContainerInfo[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.options.docker.listContainers({
        all: true,
        filters: { label: [ALONE_LABEL] },
      });
    } catch (cause) {
      throw new CodecLabError('SANDBOX_FAILED', 'could not list the isolation claims', { cause });
    }
    const now = this.options.now();
    return listed
      .filter(
        (info) =>
          info.Labels[OWNER_LABEL] === this.self ||
          reapVerdict({ labels: info.Labels }, this.options.owner, this.liveness, now) === 'keep',
      )
      .sort((a, b) => a.Created - b.Created || a.Id.localeCompare(b.Id));
  }
}

/** A pause that does not keep the process alive (the sandbox's polls and drains). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
