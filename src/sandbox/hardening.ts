import type { ContainerCreateOptions } from 'dockerode';
import type { SandboxLimits } from './sandbox.js';

export const SANDBOX_LABEL = 'codec-lab.sandbox';
export const OWNER_LABEL = 'codec-lab.owner';
export const EXPIRES_LABEL = 'codec-lab.expires-at';

/** The non-root user the codec runs as; it has no entry in /etc/passwd and owns nothing. */
export const SANDBOX_USER = '10001:10001';
const SCRATCH_DIR = '/tmp';

export interface ContainerSpecInput {
  readonly image: string;
  readonly limits: SandboxLimits;
  readonly owner: string;
  /** After this moment (epoch ms) any codec-lab process may remove the container. */
  readonly expiresAtMs: number;
  /** How long an idle pre-started container waits for its job before exiting. */
  readonly idleTimeoutS: number;
}

/**
 * The container every sandbox run gets (DESIGN.md §5). Pure, so the settings are reviewed and
 * unit-tested in one place. The capped tmpfs is the only writable path.
 */
export function sandboxContainerSpec(input: ContainerSpecInput): ContainerCreateOptions {
  const { limits } = input;
  const threads = String(Math.max(1, Math.floor(limits.cpus)));
  const memoryBytes = limits.memoryLimitMb * 1024 * 1024;
  return {
    Image: input.image,
    Cmd: ['python3', '-s', '-B', '/opt/codec-lab/harness.py', String(input.idleTimeoutS)],
    User: SANDBOX_USER,
    WorkingDir: SCRATCH_DIR,
    // Allow-listed environment: nothing from the orchestrator's own environment reaches here.
    Env: [
      'PATH=/usr/bin:/bin',
      `HOME=${SCRATCH_DIR}`,
      'LANG=C.UTF-8',
      'PYTHONDONTWRITEBYTECODE=1',
      'PYTHONHASHSEED=0',
      `OMP_NUM_THREADS=${threads}`,
      `OPENBLAS_NUM_THREADS=${threads}`,
      `MKL_NUM_THREADS=${threads}`,
      `NUMEXPR_NUM_THREADS=${threads}`,
    ],
    Labels: {
      [SANDBOX_LABEL]: '1',
      [OWNER_LABEL]: input.owner,
      [EXPIRES_LABEL]: String(input.expiresAtMs),
    },
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      MemorySwappiness: 0,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pidsLimit,
      ReadonlyRootfs: true,
      Tmpfs: {
        [SCRATCH_DIR]: `rw,nosuid,nodev,noexec,size=${limits.tmpfsMb}m,mode=1777`,
      },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Init: true,
      // No /dev/shm (a second writable tmpfs) and no shared IPC namespace.
      IpcMode: 'none',
      Privileged: false,
      Binds: [],
      Devices: [],
      Mounts: [],
      PortBindings: {},
      PublishAllPorts: false,
      Ulimits: [
        { Name: 'nofile', Soft: 256, Hard: 256 },
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'fsize', Soft: limits.tmpfsMb * 1024 * 1024, Hard: limits.tmpfsMb * 1024 * 1024 },
      ],
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  };
}
