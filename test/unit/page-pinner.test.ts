import { describe, expect, it } from 'vitest';
import { CodecLabError } from '../../src/errors.js';
import {
  OWNER_LABEL,
  SANDBOX_LABEL,
  sandboxContainerSpec,
  type ContainerSpecInput,
} from '../../src/sandbox/hardening.js';
import {
  PINNER_ROLE,
  PINNER_ROLE_LABEL,
  parsePinReport,
  pinnerContainerSpec,
  withMlock,
} from '../../src/sandbox/page-pinner.js';
import { loadSeccompProfile } from '../../src/sandbox/seccomp.js';

const INPUT: ContainerSpecInput = {
  image: 'codec-lab-sandbox:test',
  limits: { timeoutMs: 30_000, memoryLimitMb: 512, cpus: 2, pidsLimit: 48, tmpfsMb: 96 },
  owner: 'host-a:1234:987654',
  expiresAtMs: 1_700_000_123_456,
  idleTimeoutS: 300,
  seccompProfile: loadSeccompProfile(),
};

describe('the page pinner container', () => {
  const spec = pinnerContainerSpec(INPUT);
  const sandbox = sandboxContainerSpec(INPUT);

  it('runs the pinner as root with IPC_LOCK as its only capability', () => {
    expect(spec.Cmd).toEqual(['python3', '-s', '-B', '/opt/codec-lab/pin_pages.py']);
    expect(spec.User).toBe('0:0');
    expect(spec.HostConfig?.CapDrop).toEqual(['ALL']);
    expect(spec.HostConfig?.CapAdd).toEqual(['IPC_LOCK']);
    expect(spec.HostConfig?.Memory).toBeGreaterThan(2 * 1024 ** 3);
    expect(spec.HostConfig?.MemorySwap).toBe(spec.HostConfig?.Memory);
  });

  it('keeps the rest of the sandbox hardening and the reaper labels', () => {
    expect(spec.HostConfig?.SecurityOpt).toEqual([
      'no-new-privileges:true',
      `seccomp=${withMlock(INPUT.seccompProfile)}`,
    ]);
    const profile = JSON.parse(withMlock(INPUT.seccompProfile)) as {
      syscalls: Array<{ names: string[]; action: string }>;
    };
    const base = JSON.parse(INPUT.seccompProfile) as { syscalls: unknown[] };
    expect(profile.syscalls.slice(1)).toEqual(base.syscalls);
    expect(profile.syscalls[0]).toEqual({ names: ['mlock'], action: 'SCMP_ACT_ALLOW' });
    for (const key of [
      'NetworkMode',
      'ReadonlyRootfs',
      'MaskedPaths',
      'ReadonlyPaths',
      'IpcMode',
      'Privileged',
      'Binds',
      'Devices',
      'Mounts',
      'Tmpfs',
      'Ulimits',
    ] as const) {
      expect(spec.HostConfig?.[key]).toEqual(sandbox.HostConfig?.[key]);
    }
    expect(spec.NetworkDisabled).toBe(true);
    expect(spec.Env).toEqual(sandbox.Env);
    expect(spec.Labels?.[SANDBOX_LABEL]).toBe('1');
    expect(spec.Labels?.[OWNER_LABEL]).toBe(INPUT.owner);
    expect(spec.Labels?.[PINNER_ROLE_LABEL]).toBe(PINNER_ROLE);
  });

  it('takes no stdin: no codec reaches it', () => {
    expect(spec.OpenStdin).toBe(false);
    expect(spec.AttachStdin).toBe(false);
  });
});

describe('the page pinner report', () => {
  it('accepts a report with every file pinned', () => {
    expect(parsePinReport('{"pinned_files": 3, "pinned_bytes": 9000, "failed": []}')).toEqual({
      pinnedFiles: 3,
      pinnedBytes: 9000,
    });
  });

  it.each([
    ['not json', 'is not JSON'],
    ['{"pinned_files": 3, "failed": []}', 'lacks pinned_files'],
    ['{"pinned_files": 0, "pinned_bytes": 0, "failed": []}', 'no image file'],
    [
      '{"pinned_files": 3, "pinned_bytes": 9, "failed": [["/usr/lib/x.so", "mlock: Cannot allocate memory"]]}',
      '1 image file(s) could not be pinned (/usr/lib/x.so: mlock: Cannot allocate memory)',
    ],
  ])('refuses %s, naming the cause and what to do', (line, cause) => {
    let error: unknown;
    try {
      parsePinReport(line);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodecLabError);
    expect((error as CodecLabError).code).toBe('SANDBOX_FAILED');
    expect((error as Error).message).toContain(cause);
    expect((error as Error).message).toContain('IPC_LOCK');
  });
});
