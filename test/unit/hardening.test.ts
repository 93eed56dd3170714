import type { ContainerCreateOptions, HostConfig } from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  EXPIRES_LABEL,
  OWNER_LABEL,
  SANDBOX_LABEL,
  sandboxContainerSpec,
  type ContainerSpecInput,
} from '../../src/sandbox/hardening.js';
import type { SandboxLimits } from '../../src/sandbox/sandbox.js';
import { loadSeccompProfile } from '../../src/sandbox/seccomp.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 30_000,
  memoryLimitMb: 512,
  cpus: 2,
  pidsLimit: 48,
  tmpfsMb: 96,
};

function input(
  limits: Partial<SandboxLimits> = {},
  over: Partial<Omit<ContainerSpecInput, 'limits'>> = {},
): ContainerSpecInput {
  return {
    image: 'codec-lab-sandbox:test',
    limits: { ...LIMITS, ...limits },
    owner: 'host-a:1234:987654',
    expiresAtMs: 1_700_000_123_456,
    idleTimeoutS: 300,
    seccompProfile: loadSeccompProfile(),
    ...over,
  };
}

function hostConfig(spec: ContainerCreateOptions): HostConfig {
  if (spec.HostConfig === undefined) throw new Error('the spec has no HostConfig');
  return spec.HostConfig;
}

/** The environment as name → value; a duplicated name would be a bug, so it fails here. */
function envOf(spec: ContainerCreateOptions): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of spec.Env ?? []) {
    const at = entry.indexOf('=');
    expect(at).toBeGreaterThan(0);
    const name = entry.slice(0, at);
    expect(env.has(name)).toBe(false);
    env.set(name, entry.slice(at + 1));
  }
  return env;
}

const ALLOWED_ENV = new Set([
  'PATH',
  'HOME',
  'LANG',
  'PYTHONDONTWRITEBYTECODE',
  'PYTHONHASHSEED',
  'OMP_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'MKL_NUM_THREADS',
  'NUMEXPR_NUM_THREADS',
]);

const THREAD_VARS = [
  'OMP_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'MKL_NUM_THREADS',
  'NUMEXPR_NUM_THREADS',
];

describe('sandboxContainerSpec', () => {
  it('runs the harness from the given image', () => {
    const spec = sandboxContainerSpec(input());
    expect(spec.Image).toBe('codec-lab-sandbox:test');
    expect(spec.Cmd).toEqual(['python3', '-s', '-B', '/opt/codec-lab/harness.py', '300']);
    expect(spec.Tty).toBe(false);
    expect(spec.OpenStdin).toBe(true);
    expect(spec.StdinOnce).toBe(true);
  });

  it('passes the idle timeout to the harness as its last argument', () => {
    expect(sandboxContainerSpec(input({}, { idleTimeoutS: 45 })).Cmd?.at(-1)).toBe('45');
    expect(sandboxContainerSpec(input({}, { idleTimeoutS: 2.5 })).Cmd?.at(-1)).toBe('2.5');
  });

  it('has no network', () => {
    const spec = sandboxContainerSpec(input());
    expect(spec.NetworkDisabled).toBe(true);
    expect(hostConfig(spec).NetworkMode).toBe('none');
    expect(hostConfig(spec).PortBindings).toEqual({});
    expect(hostConfig(spec).PublishAllPorts).toBe(false);
  });

  it('caps memory with swap equal to memory (no swap on top)', () => {
    const host = hostConfig(sandboxContainerSpec(input({ memoryLimitMb: 512 })));
    expect(host.Memory).toBe(512 * 1024 * 1024);
    expect(host.MemorySwap).toBe(536_870_912);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.MemorySwappiness).toBe(0);
  });

  it('caps CPU and pids', () => {
    const host = hostConfig(sandboxContainerSpec(input({ cpus: 1.5, pidsLimit: 48 })));
    expect(host.NanoCpus).toBe(1_500_000_000);
    expect(host.PidsLimit).toBe(48);
  });

  it('has a read-only root and one size-capped nosuid,nodev,noexec tmpfs at /tmp', () => {
    const spec = sandboxContainerSpec(input({ tmpfsMb: 96 }));
    const host = hostConfig(spec);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(Object.keys(host.Tmpfs ?? {})).toEqual(['/tmp']);
    const options = (host.Tmpfs?.['/tmp'] ?? '').split(',');
    expect(options).toContain('nosuid');
    expect(options).toContain('nodev');
    expect(options).toContain('noexec');
    expect(options).toContain('size=96m');
    expect(options.filter((option) => option.startsWith('size='))).toEqual(['size=96m']);
    expect(options).not.toContain('exec');
    expect(options).not.toContain('suid');
    expect(options).not.toContain('dev');
    expect(spec.WorkingDir).toBe('/tmp');
  });

  it('drops every capability, forbids privilege gain and is not privileged', () => {
    const host = hostConfig(sandboxContainerSpec(input()));
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain('no-new-privileges:true');
    expect(host.Privileged).toBe(false);
  });

  it('runs no Docker init (the harness is pid 1: no host binary bind-mounted into every container) and shares no IPC namespace', () => {
    const host = hostConfig(sandboxContainerSpec(input()));
    expect(host.Init).toBe(false);
    expect(host.IpcMode).toBe('none');
  });

  it('pins the seccomp profile shipped in the repository, an allow-list', () => {
    const host = hostConfig(sandboxContainerSpec(input()));
    const securityOptions = (host.SecurityOpt ?? []) as readonly string[];
    const options = securityOptions.filter((option) => option.startsWith('seccomp='));
    expect(options).toHaveLength(1);
    const profile = JSON.parse(options[0]?.slice('seccomp='.length) ?? '{}') as {
      defaultAction: string;
      syscalls: Array<{ names: string[]; action: string; args?: unknown[] }>;
    };
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    const allowed = new Set(
      profile.syscalls
        .filter((rule) => rule.action === 'SCMP_ACT_ALLOW' && rule.args === undefined)
        .flatMap((rule) => rule.names),
    );
    for (const name of ['read', 'write', 'mmap', 'futex', 'wait4', 'prctl', 'fcntl'])
      expect(allowed).toContain(name);
    for (const name of [
      'ptrace',
      'process_vm_readv',
      'process_vm_writev',
      'flock',
      'unshare',
      'setns',
      'mount',
      'bpf',
      'perf_event_open',
      'userfaultfd',
      'keyctl',
      'io_uring_setup',
      'clone',
    ])
      expect(allowed).not.toContain(name);
    // clone only without namespace flags; clone3 says ENOSYS so glibc falls back to clone.
    const clone = profile.syscalls.find((rule) => rule.names.includes('clone'));
    expect(clone?.args).toEqual([
      { index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
    ]);
  });

  it("masks host-wide /proc state (every lock on the host among it) besides Docker's defaults", () => {
    const host = hostConfig(sandboxContainerSpec(input())) as HostConfig & {
      MaskedPaths?: string[];
      ReadonlyPaths?: string[];
    };
    for (const path of [
      '/proc/locks',
      '/proc/loadavg',
      '/proc/sys/fs',
      '/proc/kcore',
      '/proc/keys',
    ])
      expect(host.MaskedPaths).toContain(path);
    expect(host.ReadonlyPaths).toContain('/proc/sys');
  });

  it('mounts nothing from the host and exposes no devices', () => {
    const host = hostConfig(sandboxContainerSpec(input()));
    expect(host.Binds).toEqual([]);
    expect(host.Devices).toEqual([]);
    expect(host.Mounts).toEqual([]);
    expect(host.VolumesFrom ?? []).toEqual([]);
    expect(JSON.stringify(host)).not.toContain('docker.sock');
  });

  it('turns the log driver off and never restarts or auto-removes', () => {
    const host = hostConfig(sandboxContainerSpec(input()));
    expect(host.LogConfig?.Type).toBe('none');
    expect(host.RestartPolicy?.Name).toBe('no');
    expect(host.AutoRemove).toBe(false);
  });

  it('caps file size to the tmpfs and disables core dumps', () => {
    const host = hostConfig(sandboxContainerSpec(input({ tmpfsMb: 96 })));
    expect(host.Ulimits).toContainEqual({ Name: 'core', Soft: 0, Hard: 0 });
    expect(host.Ulimits).toContainEqual({
      Name: 'fsize',
      Soft: 96 * 1024 * 1024,
      Hard: 96 * 1024 * 1024,
    });
  });

  it('runs as a non-root user', () => {
    const user = sandboxContainerSpec(input()).User ?? '';
    expect(user).not.toBe('');
    expect(user).not.toBe('0');
    expect(user).not.toBe('root');
    const [uid, gid] = user.split(':');
    expect(uid).not.toBe('0');
    expect(uid).not.toBe('root');
    expect(gid).not.toBe('0');
    expect(gid).not.toBe('root');
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it('labels the container for the reaper', () => {
    const spec = sandboxContainerSpec(input());
    expect(spec.Labels).toEqual({
      [SANDBOX_LABEL]: '1',
      [OWNER_LABEL]: 'host-a:1234:987654',
      [EXPIRES_LABEL]: '1700000123456',
    });
    expect(SANDBOX_LABEL).toBe('codec-lab.sandbox');
    expect(OWNER_LABEL).toBe('codec-lab.owner');
    expect(EXPIRES_LABEL).toBe('codec-lab.expires-at');
  });

  describe('environment', () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    beforeEach(() => {
      process.env.ANTHROPIC_API_KEY = 'sk-test-secret';
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    });

    it('carries only allow-listed variables and no secret from the orchestrator', () => {
      const spec = sandboxContainerSpec(input());
      const env = envOf(spec);
      for (const name of env.keys()) expect(ALLOWED_ENV).toContain(name);
      expect(env.has('ANTHROPIC_API_KEY')).toBe(false);
      expect(JSON.stringify(spec)).not.toContain('sk-test-secret');
      expect(env.get('PATH')).toBe('/usr/bin:/bin');
      expect(env.get('HOME')).toBe('/tmp');
      expect(env.get('PYTHONHASHSEED')).toBe('0');
    });

    it('carries no CODEC_LAB_* variable (the idle timeout travels as an argument)', () => {
      const env = envOf(sandboxContainerSpec(input({}, { idleTimeoutS: 300 })));
      expect([...env.keys()].filter((name) => name.startsWith('CODEC_LAB_'))).toEqual([]);
      expect([...env.values()]).not.toContain('300');
    });

    it('copies nothing else from process.env either', () => {
      const env = envOf(sandboxContainerSpec(input()));
      for (const [name, value] of Object.entries(process.env)) {
        if (ALLOWED_ENV.has(name)) continue;
        expect(env.has(name)).toBe(false);
        if (value !== undefined && value.length >= 12) {
          expect([...env.values()]).not.toContain(value);
        }
      }
    });
  });

  it.each([
    [0.5, '1', 500_000_000],
    [1, '1', 1_000_000_000],
    [2.5, '2', 2_500_000_000],
    [4, '4', 4_000_000_000],
  ])('pins thread counts to the CPU cap (cpus %s => %s threads)', (cpus, threads, nanoCpus) => {
    const spec = sandboxContainerSpec(input({ cpus }));
    const env = envOf(spec);
    for (const name of THREAD_VARS) expect(env.get(name)).toBe(threads);
    expect(hostConfig(spec).NanoCpus).toBe(nanoCpus);
  });
});
