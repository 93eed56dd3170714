/**
 * Issue 11: nothing in a sandbox is shared with another sandbox or can be inspected by the
 * codec. Two containers run at the same time: one holds byte-range locks on every file it can
 * open that another container could open too (the image's files, Docker's per-container
 * /etc files, device nodes, sysfs, the old /dev/init bind mount), the other looks for them.
 * The reader also proves its probe works on a lock it takes itself.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { decodeRequest, encodeRequest, interpretRun } from '../../src/evaluation/protocol.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { MASKED_PATHS } from '../../src/sandbox/hardening.js';
import { PINNER_ROLE, PINNER_ROLE_LABEL } from '../../src/sandbox/page-pinner.js';
import {
  ROOT,
  TEST_LIMITS,
  builtinClip,
  docker,
  openTestSandbox,
  ownLabel,
  sandboxContainers,
} from './support.js';

const LIMITS = { ...TEST_LIMITS, timeoutMs: 15_000 };
const fixture = (name: string): Buffer => readFileSync(`${ROOT}test/fixtures/channels/${name}`);

describe('no channel between concurrently running sandboxes', () => {
  let sandbox: DockerSandbox;
  let clip: Clip;

  beforeAll(async () => {
    sandbox = await openTestSandbox(LIMITS, 2);
    clip = await builtinClip(2);
  });

  afterAll(async () => {
    await sandbox.close();
    expect(await sandboxContainers(ownLabel())).toEqual([]);
  });

  it('a lock held in one container is invisible in another, while the probe sees its own', async () => {
    const publisher = sandbox.run(encodeRequest(fixture('lock_publisher.py'), clip, 0.5, LIMITS));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reader = sandbox.run(
      decodeRequest(
        fixture('lock_reader.py'),
        { ...clip, frameCount: 1 },
        0.5,
        [{ compressed: Buffer.alloc(0), metadata: Buffer.from('{}') }],
        LIMITS,
      ),
    );
    const [published, read] = await Promise.all([publisher, reader]);
    expect(interpretRun(published, LIMITS).ok).toBe(true);
    const outcome = interpretRun(read, LIMITS);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    // Both ran at once: the reader's look (1 s in) fell inside the publisher's 4 s hold.
    expect(read.wallMs).toBeLessThan(published.wallMs + 500);
    expect(outcome.failure.message).toContain('control: True');
    expect(outcome.failure.message).toContain('seen: []');
  });

  it('the daemon applied the pinned hardening: no init, host-wide /proc state masked, our seccomp profile', async () => {
    const run = sandbox.run(encodeRequest(fixture('lock_publisher.py'), clip, 0.5, LIMITS));
    let inspected: Awaited<ReturnType<ReturnType<typeof docker.getContainer>['inspect']>> | null =
      null;
    for (let tries = 0; tries < 40 && inspected === null; tries++) {
      const [info] = (await sandboxContainers(ownLabel())).filter(
        (listed) => listed.Labels[PINNER_ROLE_LABEL] !== PINNER_ROLE,
      );
      if (info) inspected = await docker.getContainer(info.Id).inspect();
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await run;
    expect(inspected).not.toBeNull();
    const host = inspected?.HostConfig as unknown as Record<string, unknown>;
    expect(host.Init).toBe(false);
    expect(host.MaskedPaths).toEqual([...MASKED_PATHS]);
    const seccomp = (host.SecurityOpt as string[]).find((option) => option.startsWith('seccomp='));
    expect(seccomp).toContain('"defaultAction":"SCMP_ACT_ERRNO"');
    expect(inspected?.Mounts ?? []).toEqual([]);
  });
});
