/**
 * Issue 13, hostile: the runs of one decoder container (every clip at one quality) must not reach
 * each other through what a forked run inherits or through the container's other writable place.
 * The fixture's decoder replays a frame it never received bits for from (a) its own address space
 * (an earlier run's bitstream or decoded frame left in freed heap, or a later run's bitstream the
 * harness already holds), (b) the harness's stack frames (an earlier run's decoded frames), and (c)
 * the names of POSIX message queues in /dev/mqueue. The control shows (a) and (c) working inside
 * one run, so the test could fail; across the runs of a batch each run must get only mid-grey
 * (docs/ARCHITECTURE.md §5.3: runs fork from a zygote that never held a job's data, and the scrub
 * clears /dev/mqueue).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatchRequest, type DecodeInput } from '../../src/evaluation/batch-protocol.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { decodedFrames, interpretRun, type EncodedFrame } from '../../src/evaluation/protocol.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { ROOT, TEST_LIMITS, builtinClip, openTestSandbox } from './support.js';

const CODEC = readFileSync(`${ROOT}test/fixtures/channels/inherited_memory_decoder.py`);
const LIMITS_CODEC = readFileSync(`${ROOT}test/fixtures/channels/inherited_limits_decoder.py`);
const ZYGOTE_ATTACKER = readFileSync(`${ROOT}test/fixtures/channels/zygote_attacker.py`);
const START = Buffer.from('\x00INHERIT-START\x01', 'latin1');
const END = Buffer.from('\x02INHERIT-END\x03', 'latin1');
const QUALITY = 0.5;
/** The tag of the later run's bitstream (a different clip's bits at the same quality). */
const LATER = 7;

/** Counted bits for a frame: the raw frame between markers, tagged `tag`. */
function tagged(frame: Buffer, tag: number): EncodedFrame {
  return {
    compressed: Buffer.concat([START, Buffer.from([tag]), frame, END]),
    metadata: Buffer.from('{}'),
  };
}

/** No bits: the decoder is asked to replay the frame tagged `of` from `channel`. */
function replay(of: number, channel: 'scan' | 'outcome' | 'mqueue'): EncodedFrame {
  return {
    compressed: Buffer.alloc(0),
    metadata: Buffer.from(JSON.stringify({ channel, replay_of: of })),
  };
}

describe('a decoder run that reads what other runs of its container left', () => {
  let sandbox: DockerSandbox;
  let clip: Clip;
  const input = (encoded: EncodedFrame[]): DecodeInput => ({
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    frameCount: encoded.length,
    quality: QUALITY,
    encoded,
  });
  const runBatch = async (codec: Buffer, inputs: DecodeInput[]) => {
    const request = decodeBatchRequest(codec, inputs, sandbox.limits);
    return interpretRun(await sandbox.run(request), sandbox.limits, request.timeoutMs);
  };
  const decode = async (inputs: DecodeInput[], codec = CODEC): Promise<Buffer[][]> => {
    const run = await runBatch(codec, inputs);
    if (!run.ok) throw new Error(`the decode failed: ${run.failure.message}\n${run.log}`);
    return inputs.map((one, index) => {
      const frames = decodedFrames(run.files, one.encoded.length, index);
      if (frames === null) throw new Error(`run ${index} returned too few frames`);
      return frames;
    });
  };
  const frame = (index: number): Buffer => clip.frames[index] ?? Buffer.alloc(0);

  beforeAll(async () => {
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 20_000 }, 1);
    clip = await builtinClip(2);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('replays from its own memory and from /dev/mqueue within one run (control)', async () => {
    const [frames] = await decode([
      input([tagged(frame(0), 0), tagged(frame(1), 1), replay(0, 'scan'), replay(1, 'mqueue')]),
    ]);
    expect(frames?.[2]?.equals(frame(0))).toBe(true);
    // Message queue names carry the first bytes of the frame: more than nothing.
    expect(frames?.[3]?.subarray(0, 400).equals(frame(1).subarray(0, 400))).toBe(true);
  }, 120_000);

  it('gains nothing from an earlier or a later run of the same decoder container', async () => {
    const grey = Buffer.alloc(clip.width * clip.height * 3, 128);
    const [first, replayed, later] = await decode([
      input([tagged(frame(0), 0), tagged(frame(1), 1)]),
      input([replay(0, 'outcome'), replay(1, 'scan'), replay(0, 'mqueue'), replay(LATER, 'scan')]),
      input([tagged(frame(1), LATER)]),
    ]);
    expect(first?.[0]?.equals(frame(0))).toBe(true);
    expect(later?.[0]?.equals(frame(1))).toBe(true);
    const what = ['outcome', 'scan earlier', 'mqueue', 'scan later'];
    expect(what.map((channel, i) => ({ channel, grey: replayed?.[i]?.equals(grey) }))).toEqual(
      what.map((channel) => ({ channel, grey: true })),
    );
  }, 120_000);

  /** The raw frame as its bits, with the zygote attack `attack` on it. */
  const attacking = (attack: string): EncodedFrame => ({
    compressed: frame(0),
    metadata: Buffer.from(JSON.stringify({ attack })),
  });
  const noBits: EncodedFrame = { compressed: Buffer.alloc(0), metadata: Buffer.from('{}') };

  it('a run that stops the zygote and leaves a pid-hopping process gains nothing', async () => {
    const grey = Buffer.alloc(clip.width * clip.height * 3, 128);
    const [first, second] = await decode(
      [input([attacking('stop')]), input([noBits])],
      ZYGOTE_ATTACKER,
    );
    expect(first?.[0]?.equals(frame(0))).toBe(true);
    expect(second?.[0]?.equals(grey)).toBe(true);
  }, 120_000);

  it('a run that kills the zygote stops the job at leftover_state', async () => {
    const run = await runBatch(ZYGOTE_ATTACKER, [input([attacking('kill')]), input([noBits])]);
    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect({
      run: run.runIndex,
      category: run.failure.category,
      key: run.failure.cause?.key,
    }).toEqual({ run: 0, category: 'crashes', key: 'leftover_state' });
  }, 120_000);

  it('gains nothing from resource limits an earlier run set on the processes it could touch', async () => {
    const grey = Buffer.alloc(clip.width * clip.height * 3, 128);
    const raw: EncodedFrame = { compressed: frame(0), metadata: Buffer.from('{}') };
    const [control] = await decode([input([raw, noBits])], LIMITS_CODEC);
    expect(control?.[1]?.subarray(0, 23).equals(frame(0).subarray(0, 23))).toBe(true);
    const [, replayed] = await decode([input([raw]), input([noBits])], LIMITS_CODEC);
    expect(replayed?.[0]?.equals(grey)).toBe(true);
  }, 120_000);
});
