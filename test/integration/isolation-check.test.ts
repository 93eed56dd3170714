/**
 * Issue 11: the isolation check before adoption closes channels between sandboxes generically,
 * whatever they are. To have a channel to close, this test reopens one on purpose: a Docker
 * client that bind-mounts one host file into every container it creates (what Docker's --init
 * used to do). A beacon codec, run by a second sandbox (another "process" as far as the first
 * one knows), holds a lock on that file; a listener codec's decoder flips a bit while it sees
 * the lock. The listener measures fine while the beacon runs, and the isolation check, which
 * waits until no other sandbox on the host is busy, refuses it; an honest codec passes.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type EvaluationResult } from '../../src/evaluation/evaluator.js';
import { encodeRequest, interpretRun } from '../../src/evaluation/protocol.js';
import { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { findSandboxImage } from '../../src/sandbox/image.js';
import { currentOwner } from '../../src/sandbox/owner.js';
import {
  JPEG_CODEC,
  ROOT,
  TEST_LIMITS,
  builtinClip,
  docker,
  ownLabel,
  sandboxContainers,
  silentLog,
} from './support.js';

const LIMITS = { ...TEST_LIMITS, timeoutMs: 40_000 };
const QUALITIES = [0.2, 0.5, 0.8];
const fixture = (name: string): Buffer => readFileSync(`${ROOT}test/fixtures/channels/${name}`);

/** A Docker client that mounts `file` read-only at /shared in every container it creates. */
function leakyDocker(file: string): Docker {
  return new Proxy(docker, {
    get(target, property, receiver) {
      if (property === 'createContainer') {
        return (options: Docker.ContainerCreateOptions) =>
          target.createContainer({
            ...options,
            HostConfig: { ...options.HostConfig, Binds: [`${file}:/shared:ro`] },
          });
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

describe('the isolation check before adoption', () => {
  let dir: string;
  let sandbox: DockerSandbox;
  let other: DockerSandbox;
  let clip: Clip;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codec-lab-isolation-'));
    chmodSync(dir, 0o755);
    const shared = join(dir, 'shared');
    writeFileSync(shared, 'x');
    chmodSync(shared, 0o644);
    const image = await findSandboxImage(docker);
    const open = (poolSize: number): Promise<DockerSandbox> =>
      DockerSandbox.open({
        docker: leakyDocker(shared),
        image,
        limits: LIMITS,
        poolSize,
        owner: currentOwner(),
        log: silentLog,
      });
    sandbox = await open(2);
    other = await open(0);
    clip = await builtinClip(2);
  });

  afterAll(async () => {
    await Promise.all([sandbox.close(), other.close()]);
    rmSync(dir, { recursive: true, force: true });
    expect(await sandboxContainers(ownLabel())).toEqual([]);
  });

  /** Evaluates `codec` while the other sandbox runs the beacon, then checks isolation. */
  async function withBeacon(codec: Buffer): Promise<{
    result: EvaluationResult;
    check: Awaited<ReturnType<Evaluator['checkIsolation']>>;
    beaconDoneAt: number;
    checkDoneAt: number;
  }> {
    const evaluator = new Evaluator(sandbox, silentLog, 2);
    let beaconDoneAt = 0;
    const beacon = other
      .run(encodeRequest(fixture('shared_beacon.py'), clip, 0.5, LIMITS))
      .then((run) => {
        beaconDoneAt = Date.now();
        return run;
      });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const result = await evaluator.evaluate(codec, [clip], {
      qualities: QUALITIES,
      skipValidation: true,
    });
    if (!result.ok) throw new Error(`evaluation failed: ${result.failure.message}`);
    expect(beaconDoneAt).toBe(0); // the beacon still ran during the whole sweep
    const check = await evaluator.checkIsolation(codec, [result]);
    const checkDoneAt = Date.now();
    expect(interpretRun(await beacon, LIMITS).ok).toBe(true);
    return { result, check, beaconDoneAt, checkDoneAt };
  }

  it('refuses a decoder whose output depended on another sandbox running, as nondeterministic', async () => {
    const { result, check, beaconDoneAt, checkDoneAt } = await withBeacon(
      fixture('shared_listener.py'),
    );
    expect(result.ok && result.metrics.points.every((p) => p.psnr_y_db > 60)).toBe(true);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.failure.category).toBe('nondeterministic');
    expect(check.failure.message).toContain('depended on something other than its counted bytes');
    // It waited for the other sandbox's busy container before re-running anything.
    expect(beaconDoneAt).toBeGreaterThan(0);
    expect(beaconDoneAt).toBeLessThanOrEqual(checkDoneAt);
  });

  it('passes an honest codec, every decode reproduced byte for byte', async () => {
    const { check } = await withBeacon(readFileSync(JPEG_CODEC));
    expect(check).toMatchObject({ ok: true, decodes: QUALITIES.length });
  });
});
