import { describe, expect, it } from 'vitest';

import { EXPIRES_LABEL, OWNER_LABEL, SANDBOX_LABEL } from '../../src/sandbox/hardening.js';
import {
  currentOwner,
  formatOwner,
  parseOwner,
  processStartTicks,
  type Liveness,
  type Owner,
} from '../../src/sandbox/owner.js';
import { reapVerdict, type ContainerFacts } from '../../src/sandbox/reaper.js';

const NOW = 1_700_000_000_000;
const SELF: Owner = { host: 'worker-1', pid: 100, startTicks: '5000' };

/** A host whose process table is a plain map from pid to start ticks. */
class FakeLiveness implements Liveness {
  readonly asked: number[] = [];

  constructor(
    readonly host: string,
    private readonly table: ReadonlyMap<number, string>,
  ) {}

  startTicksOf(pid: number): string | null {
    this.asked.push(pid);
    return this.table.get(pid) ?? null;
  }
}

const liveness = (): FakeLiveness =>
  new FakeLiveness(
    'worker-1',
    new Map([
      [100, '5000'],
      [200, '7000'],
    ]),
  );

function container(
  owner: string | undefined,
  expiresAtMs: number | string | undefined,
): ContainerFacts {
  const labels: Record<string, string> = { [SANDBOX_LABEL]: '1' };
  if (owner !== undefined) labels[OWNER_LABEL] = owner;
  if (expiresAtMs !== undefined) labels[EXPIRES_LABEL] = String(expiresAtMs);
  return { labels };
}

const FUTURE = NOW + 60_000;
const PAST = NOW - 1;

describe('reapVerdict', () => {
  it('keeps our own containers, even expired ones, without asking the process table', () => {
    const live = liveness();
    expect(reapVerdict(container('worker-1:100:5000', PAST), SELF, live, NOW)).toBe('keep');
    expect(reapVerdict(container('worker-1:100:5000', FUTURE), SELF, live, NOW)).toBe('keep');
    expect(live.asked).toEqual([]);
  });

  it('removes a container whose owner on this host is dead', () => {
    const live = liveness();
    expect(reapVerdict(container('worker-1:300:9000', FUTURE), SELF, live, NOW)).toBe('owner-dead');
    expect(live.asked).toEqual([300]);
  });

  it('treats a reused pid (same pid, other start ticks) as a dead owner', () => {
    expect(reapVerdict(container('worker-1:200:6999', FUTURE), SELF, liveness(), NOW)).toBe(
      'owner-dead',
    );
  });

  it('keeps a live owner’s unexpired container on this host', () => {
    expect(reapVerdict(container('worker-1:200:7000', FUTURE), SELF, liveness(), NOW)).toBe('keep');
  });

  it('removes a live owner’s container on this host once it has expired', () => {
    // The expiry lies beyond the idle wait + run deadline + grace, so a container past it is
    // stuck even though its owner lives: removing it is intended (see reaper.ts doc comment).
    expect(reapVerdict(container('worker-1:200:7000', PAST), SELF, liveness(), NOW)).toBe(
      'expired',
    );
  });

  it('keeps another host’s container until it expires, without asking the process table', () => {
    const live = liveness();
    // pid 300 is not alive here, but it is another host's pid.
    expect(reapVerdict(container('worker-2:300:1', FUTURE), SELF, live, NOW)).toBe('keep');
    expect(reapVerdict(container('worker-2:300:1', NOW), SELF, live, NOW)).toBe('keep');
    expect(reapVerdict(container('worker-2:300:1', PAST), SELF, live, NOW)).toBe('expired');
    expect(live.asked).toEqual([]);
  });

  it('keeps another host’s container whose expiry label is missing or unreadable', () => {
    expect(reapVerdict(container('worker-2:300:1', undefined), SELF, liveness(), NOW)).toBe('keep');
    expect(reapVerdict(container('worker-2:300:1', 'soon'), SELF, liveness(), NOW)).toBe('keep');
  });

  // Number('') is 0 and Number('1e3') is 1000: read loosely, these labels would look long
  // expired and the container would be removed under a live run.
  it.each([
    ['empty', ''],
    ['blank', '  '],
    ['exponent', '1e3'],
    ['negative', '-5'],
    ['fractional', '12.5'],
    ['hex', '0x10'],
    ['padded', ' 123'],
  ])('treats a %s expiry label as no expiry', (_what, label) => {
    const live = liveness();
    expect(reapVerdict(container('worker-2:300:1', label), SELF, live, NOW)).toBe('keep');
    expect(reapVerdict(container('worker-1:200:7000', label), SELF, live, NOW)).toBe('keep');
  });

  it('still removes a dead owner’s container whose expiry label is empty', () => {
    expect(reapVerdict(container('worker-1:300:9000', ''), SELF, liveness(), NOW)).toBe(
      'owner-dead',
    );
  });

  it('reads a digits-only label as an expiry, down to 0', () => {
    expect(reapVerdict(container('worker-2:300:1', '0'), SELF, liveness(), NOW)).toBe('expired');
    expect(reapVerdict(container('worker-2:300:1', String(NOW - 1)), SELF, liveness(), NOW)).toBe(
      'expired',
    );
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no pid', 'worker-1'],
    ['non-numeric pid', 'worker-1:abc:5000'],
    ['non-numeric ticks', 'worker-1:100:x'],
    ['empty host', ':100:5000'],
  ])('calls a container with a %s owner label unowned', (_what, label) => {
    expect(reapVerdict(container(label, FUTURE), SELF, liveness(), NOW)).toBe('unowned');
  });
});

describe('owner labels', () => {
  it('format as host:pid:ticks and parse back', () => {
    const owner: Owner = { host: 'box.example', pid: 4242, startTicks: '123456789' };
    expect(formatOwner(owner)).toBe('box.example:4242:123456789');
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
  });

  it('keep a host name that itself contains colons', () => {
    const owner: Owner = { host: 'fe80::1', pid: 7, startTicks: '0' };
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
  });

  it('parse nothing from malformed labels', () => {
    expect(parseOwner(undefined)).toBeNull();
    expect(parseOwner('')).toBeNull();
    expect(parseOwner('host:12')).toBeNull();
    expect(parseOwner('host:-1:5')).toBeNull();
    expect(parseOwner('host:1.5:5')).toBeNull();
  });
});

describe('processStartTicks', () => {
  it('reads a digit string for this process', () => {
    const ticks = processStartTicks(process.pid);
    expect(ticks).not.toBeNull();
    expect(ticks).toMatch(/^\d+$/);
    expect(processStartTicks(process.pid)).toBe(ticks);
  });

  it('is null for a pid above the kernel maximum', () => {
    expect(processStartTicks(2 ** 22 + 12345)).toBeNull();
  });

  it('makes currentOwner a label this process is recognised by', () => {
    const owner = currentOwner();
    expect(owner.pid).toBe(process.pid);
    expect(owner.startTicks).toBe(processStartTicks(process.pid));
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
  });
});
