/**
 * The isolation boundary for untrusted codec code. One request = one fresh container, never
 * reused (a batched request runs several runs of one role in it, each in a fresh child): files in as an uncompressed tar on stdin, files out as a tar on stdout.
 * The implementation is named after its technology (DockerSandbox); Kubernetes Jobs or ECS
 * tasks would be other implementations of this interface.
 */
export interface SandboxLimits {
  /** The orchestrator's wall-clock limit; the harness applies the same one inside. */
  readonly timeoutMs: number;
  readonly memoryLimitMb: number;
  readonly cpus: number;
  readonly pidsLimit: number;
  readonly tmpfsMb: number;
}

export interface SandboxFile {
  readonly name: string;
  readonly data: Buffer;
}

export interface SandboxRequest {
  readonly files: readonly SandboxFile[];
  /** Cap on the result stream (the harness's tar on stdout); more is a failure, not a truncation. */
  readonly maxOutputBytes: number;
  /**
   * The orchestrator's wall-clock limit for this container (default limits.timeoutMs): a
   * batched job of N runs gets N per-run deadlines.
   */
  readonly timeoutMs?: number;
}

export type SandboxOutput =
  | { readonly ok: true; readonly files: ReadonlyMap<string, Buffer> }
  | { readonly ok: false; readonly reason: string };

export interface SandboxRun {
  readonly exitCode: number | null;
  readonly oomKilled: boolean;
  /** The orchestrator killed the container at its deadline. */
  readonly timedOut: boolean;
  /** The result stream passed maxOutputBytes; the container was killed. */
  readonly outputOverflow: boolean;
  readonly output: SandboxOutput;
  /** Harness diagnostics (capped). */
  readonly stderr: string;
  /** From sending the job to the last byte of the result. */
  readonly wallMs: number;
  /** Waiting for a started container (zero when the warm pool had one ready). */
  readonly acquireMs: number;
  /**
   * Of `wallMs`, the time the job waited for the container's harness to finish starting (its
   * imports) after it was sent: zero when the pool's container was already warm.
   */
  readonly readyWaitMs?: number;
  /** Packing the input tar and parsing the result tar, in the orchestrator. */
  readonly packMs: number;
  readonly parseMs: number;
  readonly imageId: string;
}

export type SandboxRunner = (request: SandboxRequest) => Promise<SandboxRun>;

export interface Sandbox {
  readonly imageId: string;
  readonly limits: SandboxLimits;
  run(request: SandboxRequest): Promise<SandboxRun>;
  /**
   * Runs `work` with no other sandbox on this host running: the isolation check before an
   * adoption (a codec's output must not depend on anything but its inputs). Other runs wait.
   */
  alone<T>(work: (run: SandboxRunner) => Promise<T>): Promise<T>;
  /** Removes every container this sandbox created; safe to call twice. */
  close(): Promise<void>;
}
