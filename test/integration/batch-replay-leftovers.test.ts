/**
 * Issue 13, hostile: within one decoder container (one quality, every clip), a run must not leave
 * state for the next clip's run. The fixture's decoder stashes each frame it decoded in a /tmp
 * file, in a background process (its own session) that keeps rewriting a second /tmp file, and in
 * a System V shared memory segment; a later frame without bits replays a stashed frame from the
 * channel its metadata names. The control shows every channel working inside one run, so the test
 * could fail; across the runs of one batch the harness kills stray processes and clears /tmp and
 * System V IPC (docs/ARCHITECTURE.md §5.3), and the next run gets only mid-grey.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatchRequest, type DecodeInput } from '../../src/evaluation/batch-protocol.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { decodedFrames, interpretRun, type EncodedFrame } from '../../src/evaluation/protocol.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { ROOT, TEST_LIMITS, builtinClip, openTestSandbox } from './support.js';

const CODEC = readFileSync(`${ROOT}test/fixtures/channels/leftover_decoder.py`);
const CHANNELS = ['file', 'process', 'shm'] as const;
const QUALITY = 0.5;

/** Counted bits for a frame: the raw frame itself. */
function raw(frame: Buffer): EncodedFrame {
  return { compressed: frame, metadata: Buffer.from('{}') };
}

/** No bits: the decoder is asked to replay frame `of` from `channel`. */
function replay(of: number, channel: (typeof CHANNELS)[number]): EncodedFrame {
  return {
    compressed: Buffer.alloc(0),
    metadata: Buffer.from(JSON.stringify({ channel, replay_of: of })),
  };
}

describe('a decoder that leaves files, processes or IPC objects for the next clip', () => {
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
  const decode = async (inputs: DecodeInput[]): Promise<ReadonlyMap<string, Buffer>> => {
    const request = decodeBatchRequest(CODEC, inputs, sandbox.limits);
    const run = interpretRun(await sandbox.run(request), sandbox.limits, request.timeoutMs);
    if (!run.ok) throw new Error(`the decode failed: ${run.failure.message}\n${run.log}`);
    return run.files;
  };
  const framesOf = (files: ReadonlyMap<string, Buffer>, run: number, count: number): Buffer[] => {
    const frames = decodedFrames(files, count, run);
    if (frames === null) throw new Error(`run ${run} returned too few frames`);
    return frames;
  };

  beforeAll(async () => {
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 20_000 });
    clip = await builtinClip(CHANNELS.length);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('replays through each channel within one run (control)', async () => {
    const stashed = clip.frames.map(raw);
    const replays = CHANNELS.map((channel, index) => replay(index, channel));
    const files = await decode([input([...stashed, ...replays])]);
    const frames = framesOf(files, 0, stashed.length + replays.length);
    for (const [index] of CHANNELS.entries()) {
      expect(frames[stashed.length + index]?.equals(clip.frames[index] ?? Buffer.alloc(0))).toBe(
        true,
      );
    }
  }, 120_000);

  it('gains nothing at the next run of the same decoder container', async () => {
    const grey = Buffer.alloc(clip.width * clip.height * 3, 128);
    const first = clip.frames.map(raw);
    const second = CHANNELS.map((channel, index) => replay(index, channel));
    const files = await decode([input(first), input(second)]);
    const decoded = framesOf(files, 0, first.length);
    expect(decoded.every((frame, i) => frame.equals(clip.frames[i] ?? Buffer.alloc(0)))).toBe(true);
    const replayed = framesOf(files, 1, second.length);
    for (const [index, channel] of CHANNELS.entries()) {
      expect({ channel, grey: replayed[index]?.equals(grey) }).toEqual({ channel, grey: true });
    }
  }, 120_000);
});
