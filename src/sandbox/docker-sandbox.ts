import type Docker from 'dockerode';
import { CodecLabError } from '../errors.js';
import type { Logger } from '../logger.js';
import { executeJob } from './container-job.js';
import { sandboxContainerSpec, type ContainerSpecInput } from './hardening.js';
import { HostClaims, delay } from './host-claim.js';
import { formatOwner, type Owner } from './owner.js';
import { startPagePinner, type PagePinner } from './page-pinner.js';
import { prepareContainer, type Prepared } from './prepared-container.js';
import type {
  Sandbox,
  SandboxLimits,
  SandboxRequest,
  SandboxRun,
  SandboxRunner,
} from './sandbox.js';
import { loadSeccompProfile } from './seccomp.js';

export interface SandboxImage {
  /** What containers are created from, e.g. codec-lab-sandbox:1a2b3c. */
  readonly ref: string;
  /** The content id (sha256:…), recorded in every result. */
  readonly id: string;
}

export interface DockerSandboxOptions {
  readonly docker: Docker;
  readonly image: SandboxImage;
  readonly limits: SandboxLimits;
  /** Containers started ahead of need; each is used for one run and then removed. */
  readonly poolSize: number;
  readonly owner: Owner;
  readonly log: Logger;
  readonly now?: () => number;
  /** An unused pre-started container exits by itself after this long. */
  readonly idleTimeoutS?: number;
  /** Added to limits.timeoutMs before the orchestrator kills a container itself. */
  readonly graceMs?: number;
  /** The seccomp profile as JSON text (default: sandbox-image/seccomp.json). */
  readonly seccompProfile?: string;
  /** How long `alone` waits for the other sandboxes on this host to finish (default 10 min). */
  readonly aloneWaitMs?: number;
  /**
   * Tests only: open without the page pinner (§5.2), so a test can show the page-cache channel
   * the pinner closes. Every command opens its sandbox with the pinner.
   */
  readonly withoutPagePinnerForTests?: true;
}

/**
 * The most runs one container's expiry label allows for (a batched job runs one per clip or
 * quality; the reaper removes an expired container of another host's codec-lab).
 */
const MAX_RUNS_PER_CONTAINER = 16;
const ALONE_POLL_MS = 250;
/** Times a run of `alone` is repeated when another sandbox became busy while it ran. */
const ALONE_TRIES = 3;
/**
 * The pinner lives as long as its sandbox; another host's reaper removes it only after this
 * (then the sandbox refuses further runs).
 */
const PINNER_LIFETIME_MS = 7 * 24 * 3_600_000;

export class DockerSandbox implements Sandbox {
  readonly imageId: string;
  readonly limits: SandboxLimits;
  private readonly docker: Docker;
  private readonly options: DockerSandboxOptions;
  private readonly now: () => number;
  private readonly idleTimeoutS: number;
  private readonly graceMs: number;
  private readonly ready: Prepared[] = [];
  private readonly preparing = new Set<Promise<unknown>>();
  private readonly created = new Set<string>();
  private readonly removals = new Set<Promise<void>>();
  private closed = false;
  private readonly seccompProfile: string;
  private readonly aloneWaitMs: number;
  /** Runs of `run` in flight, and who waits for them to reach zero. */
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  /** Set while `alone` holds (or waits for) the sandbox: new runs wait for it. */
  private exclusive: Promise<void> | null = null;
  private readonly claims: HostClaims;
  private pinner: PagePinner | null = null;
  private pinnerContainer: Docker.Container | null = null;

  private constructor(options: DockerSandboxOptions) {
    this.options = options;
    this.docker = options.docker;
    this.imageId = options.image.id;
    this.limits = options.limits;
    this.now = options.now ?? Date.now;
    this.idleTimeoutS = options.idleTimeoutS ?? 300;
    this.graceMs = options.graceMs ?? 3_000;
    this.seccompProfile = options.seccompProfile ?? loadSeccompProfile();
    this.aloneWaitMs = options.aloneWaitMs ?? 600_000;
    this.claims = new HostClaims({
      docker: options.docker,
      image: options.image.ref,
      owner: options.owner,
      now: this.now,
    });
  }

  /**
   * Starts the page pinner and waits until every image file is pinned (§5.2; a failure closes
   * what was started and throws), then starts filling the warm pool.
   */
  static async open(options: DockerSandboxOptions): Promise<DockerSandbox> {
    const sandbox = new DockerSandbox(options);
    if (options.withoutPagePinnerForTests !== true) {
      const started = sandbox.now();
      try {
        sandbox.pinner = await startPagePinner(
          sandbox.docker,
          sandbox.specInput(PINNER_LIFETIME_MS),
          (container) => {
            sandbox.pinnerContainer = container;
          },
        );
      } catch (err) {
        await sandbox.close();
        throw err;
      }
      options.log.info(
        { ...sandbox.pinner.report, ms: sandbox.now() - started },
        'pinned the sandbox image files in the page cache',
      );
    }
    sandbox.refill();
    return sandbox;
  }

  async run(request: SandboxRequest): Promise<SandboxRun> {
    for (;;) {
      while (this.exclusive !== null) await this.exclusive;
      // Another codec-lab process on the host may be running its isolation check.
      await this.claims.waitWhileClaimedByOthers();
      if (this.exclusive === null) break;
    }
    this.inFlight += 1;
    try {
      return await this.runOnce(request);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        for (const wake of this.idleWaiters.splice(0)) wake();
        this.refill();
      }
    }
  }

  /**
   * The isolation check's mode (docs/ARCHITECTURE.md §3): new runs of this sandbox wait, the ones in
   * flight finish, and each run `work` makes starts only when no other sandbox container on
   * this host is busy (any process besides its harness and zygote), and is repeated when one became
   * busy while it ran. Whatever a codec does in `work` can then depend only on its inputs.
   */
  async alone<T>(work: (run: SandboxRunner) => Promise<T>): Promise<T> {
    while (this.exclusive !== null) await this.exclusive;
    let release = (): void => {};
    this.exclusive = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      // Other processes' sandboxes stop starting runs, then ours and theirs finish.
      const unclaim = await this.claims.claim(
        this.now() + this.aloneWaitMs + 3_600_000,
        this.now() + this.aloneWaitMs,
      );
      try {
        if (this.inFlight > 0) {
          await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        }
        return await work((request) => this.runWithHostAlone(request));
      } finally {
        await unclaim();
      }
    } finally {
      this.exclusive = null;
      release();
      this.refill();
    }
  }

  private async runWithHostAlone(request: SandboxRequest): Promise<SandboxRun> {
    for (let attempt = 1; attempt <= ALONE_TRIES; attempt++) {
      await this.waitForQuietHost();
      const run = await this.runOnce(request);
      if ((await this.busyElsewhere()).length === 0) return run;
    }
    throw new CodecLabError(
      'SANDBOX_FAILED',
      `another sandbox on this host became busy during each of ${ALONE_TRIES} isolated runs; run the isolation check when no other codec-lab evaluation is working on this host`,
    );
  }

  private async waitForQuietHost(): Promise<void> {
    const until = this.now() + this.aloneWaitMs;
    for (;;) {
      const busy = await this.busyElsewhere();
      if (busy.length === 0) return;
      if (this.now() >= until) {
        throw new CodecLabError(
          'SANDBOX_FAILED',
          `sandbox containers on this host (${busy.map((id) => id.slice(0, 12)).join(', ')}) stayed busy for ${Math.round(this.aloneWaitMs / 1000)} s; the isolation check needs the host alone`,
        );
      }
      await delay(ALONE_POLL_MS);
    }
  }

  /** Other sandbox containers on the host that run a job (ours are idle during `alone`). */
  private busyElsewhere(): Promise<string[]> {
    return this.claims.busyContainers(new Set(this.ready.map((prepared) => prepared.id)));
  }

  private async runOnce(request: SandboxRequest): Promise<SandboxRun> {
    if (this.closed) throw new CodecLabError('SANDBOX_FAILED', 'the sandbox is closed');
    this.checkPinner();
    const asked = this.now();
    const prepared = await this.acquire();
    const acquireMs = this.now() - asked;
    this.refill();
    try {
      const run = await executeJob(prepared, request, acquireMs, {
        limits: this.limits,
        graceMs: this.graceMs,
        imageId: this.imageId,
        now: this.now,
        log: this.options.log,
      });
      // A run during which the pages came unpinned may have used the channel: not a result.
      this.checkPinner();
      return run;
    } finally {
      this.scheduleRemoval(prepared.container);
    }
  }

  private checkPinner(): void {
    if (this.pinner?.hasExited() === true) {
      throw new CodecLabError(
        'SANDBOX_FAILED',
        'the page pinner of this sandbox stopped (killed, out of memory, or removed by a reaper), so the image files are no longer pinned in the page cache (docs/ARCHITECTURE.md §5.2); no further run is trusted: start the command again',
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.preparing]);
    for (const prepared of this.ready.splice(0)) this.scheduleRemoval(prepared.container);
    for (const id of this.created) this.scheduleRemoval(this.docker.getContainer(id));
    while (this.removals.size > 0) await Promise.allSettled([...this.removals]);
    // The pinner goes last: no codec container of this sandbox outlives it.
    const pinner = this.pinnerContainer;
    this.pinnerContainer = null;
    if (pinner !== null) {
      this.created.add(pinner.id);
      this.scheduleRemoval(pinner);
      while (this.removals.size > 0) await Promise.allSettled([...this.removals]);
    }
  }

  private async acquire(): Promise<Prepared> {
    for (let candidate = this.ready.shift(); candidate; candidate = this.ready.shift()) {
      if (!candidate.hasExited) return candidate;
      this.scheduleRemoval(candidate.container);
    }
    return this.prepare();
  }

  /**
   * Tops the warm pool up. Each new container imports numpy and cv2 (about a CPU-second) on the
   * cores the runs need, so while runs are in flight only one container warms up at a time
   * (the next when it is ready); the rest of the pool fills once the sandbox is idle.
   */
  private refill(): void {
    const busy = this.inFlight > 0 || this.exclusive !== null;
    const warming = (): number =>
      this.preparing.size + this.ready.filter((prepared) => !prepared.isReady).length;
    while (
      !this.closed &&
      this.ready.length + this.preparing.size < this.options.poolSize &&
      (!busy || warming() < 1)
    ) {
      const task = this.prepare().then(
        (prepared) => {
          if (this.closed) this.scheduleRemoval(prepared.container);
          else this.ready.push(prepared);
        },
        (err: unknown) => this.options.log.warn({ err }, 'could not pre-start a sandbox container'),
      );
      this.preparing.add(task);
      void task.finally(() => this.preparing.delete(task));
    }
  }

  private specInput(lifetimeMs: number): ContainerSpecInput {
    return {
      image: this.options.image.ref,
      limits: this.limits,
      owner: formatOwner(this.options.owner),
      expiresAtMs: this.now() + lifetimeMs,
      idleTimeoutS: this.idleTimeoutS,
      seccompProfile: this.seccompProfile,
    };
  }

  private prepare(): Promise<Prepared> {
    // A batched job runs up to MAX_RUNS_PER_CONTAINER deadlines back to back.
    const deadlineMs =
      this.idleTimeoutS * 1000 +
      this.limits.timeoutMs * MAX_RUNS_PER_CONTAINER +
      this.graceMs +
      60_000;
    const spec = sandboxContainerSpec(this.specInput(deadlineMs));
    return prepareContainer(
      this.docker,
      spec,
      (container) => this.created.add(container.id),
      (container) => this.scheduleRemoval(container),
      () => this.refill(),
    );
  }

  private scheduleRemoval(container: Docker.Container): void {
    if (!this.created.has(container.id)) return;
    this.created.delete(container.id);
    const removal = container.remove({ force: true }).then(
      () => undefined,
      (err: { statusCode?: number }) => {
        if (err.statusCode !== 404) {
          this.options.log.warn(
            { err, containerId: container.id.slice(0, 12) },
            'could not remove sandbox container',
          );
        }
      },
    );
    this.removals.add(removal);
    void removal.finally(() => this.removals.delete(removal));
  }
}
