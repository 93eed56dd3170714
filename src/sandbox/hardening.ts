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
  /** The pinned seccomp profile as JSON text (sandbox/seccomp.ts). */
  readonly seccompProfile: string;
}

/**
 * /proc and /sys paths hidden from the codec (an empty read-only file or directory in their
 * place). Docker's own defaults first (a custom list replaces them), then host-wide state
 * that /proc does not namespace: every lock on the host (/proc/locks, with inode numbers: a
 * channel between containers), load, memory, interrupt and scheduler counters, and the
 * kernel's file and inode tables. What remains (timing, CPU contention) is closed generically
 * by the isolation check before adoption.
 */
export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
  '/proc/locks',
  '/proc/loadavg',
  '/proc/meminfo',
  '/proc/vmstat',
  '/proc/zoneinfo',
  '/proc/buddyinfo',
  '/proc/pagetypeinfo',
  '/proc/slabinfo',
  '/proc/interrupts',
  '/proc/softirqs',
  '/proc/schedstat',
  '/proc/diskstats',
  '/proc/pressure',
  '/proc/sys/fs',
  '/proc/sys/kernel/random',
];

/** Docker's defaults: read-only, but still readable. */
export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/**
 * The container every sandbox run gets (docs/ARCHITECTURE.md §5). Pure, so the settings are reviewed and
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
      SecurityOpt: ['no-new-privileges:true', `seccomp=${input.seccompProfile}`],
      // No Docker --init: its binary is one host inode bind-mounted into every container,
      // and byte-range locks on it were a channel between sandboxes. The harness is pid 1.
      Init: false,
      MaskedPaths: [...MASKED_PATHS],
      ReadonlyPaths: [...READONLY_PATHS],
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
