/**
 * Where an evaluation's time is booked (bench:eval's split): a job that waited for its container's
 * harness to start counts that wait as waiting, not transfer; and a sweep computes a decoder
 * container's metrics while the next container runs, not after the last one.
 */
import { describe, expect, it } from 'vitest';
import type { DecodeInput } from '../../src/evaluation/batch-protocol.js';
import type { Clip } from '../../src/evaluation/clip.js';
import type { EncodedFrame } from '../../src/evaluation/protocol.js';
import { validateRequest } from '../../src/evaluation/protocol.js';
import { SandboxCalls, emptyTimings, type RunOutput } from '../../src/evaluation/sandbox-calls.js';
import { sweepStage } from '../../src/evaluation/sweep-stage.js';
import { createLogger } from '../../src/logger.js';
import type { Sandbox, SandboxLimits, SandboxRun } from '../../src/sandbox/sandbox.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 10_000,
  memoryLimitMb: 256,
  cpus: 1,
  pidsLimit: 64,
  tmpfsMb: 64,
};

function validatorRun(extra: Partial<SandboxRun>): SandboxRun {
  const result = {
    protocol: 1,
    mode: 'validate',
    python: '3.11.2',
    runs: [{ failure: null, wall_s: 0.5, log: '', log_truncated: false }],
  };
  const files = new Map([
    ['result.json', Buffer.from(JSON.stringify(result))],
    ['run0/report.json', Buffer.from('{"ok":true,"findings":[]}')],
  ]);
  return {
    exitCode: null,
    oomKilled: false,
    timedOut: false,
    outputOverflow: false,
    output: { ok: true, files },
    stderr: '',
    wallMs: 1000,
    acquireMs: 10,
    packMs: 0,
    parseMs: 0,
    imageId: 'sha256:fake',
    ...extra,
  };
}

function sandboxAnswering(run: SandboxRun): Sandbox {
  return {
    imageId: 'sha256:fake',
    limits: LIMITS,
    run: () => Promise.resolve(run),
    alone: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  };
}

describe('SandboxCalls timings', () => {
  it('books a wait for the harness to start as waiting for a container, not transfer', async () => {
    const calls = new SandboxCalls(sandboxAnswering(validatorRun({ readyWaitMs: 300 })));
    await calls.run(validateRequest(Buffer.from('x'), LIMITS));
    expect(calls.timings).toMatchObject({ acquire_ms: 310, codec_ms: 500, transfer_ms: 200 });
  });

  it('books no wait when the container was warm', async () => {
    const calls = new SandboxCalls(sandboxAnswering(validatorRun({})));
    await calls.run(validateRequest(Buffer.from('x'), LIMITS));
    expect(calls.timings).toMatchObject({ acquire_ms: 10, codec_ms: 500, transfer_ms: 500 });
  });
});

describe('the sweep', () => {
  it("computes a decoder container's metrics while the next container runs", async () => {
    const frame = Buffer.alloc(16 * 16 * 3, 90);
    const clip: Clip = { name: 'c', width: 16, height: 16, fps: 25, frames: [frame], source: '/c' };
    const timings = emptyTimings();
    /** metrics_ms when each decoder container returned (the clock below adds 1 ms per point). */
    const metricsDoneAtReturn: number[] = [];
    const turns = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const calls = {
      timings,
      encode: (_codec: Buffer, c: Clip, qualities: readonly number[]) =>
        Promise.resolve({
          ok: true as const,
          value: qualities.map((): RunOutput<EncodedFrame> => ({
            frames: c.frames.map((f) => ({ compressed: f, metadata: Buffer.from('{}') })),
            wallS: 0.1,
          })),
        }),
      decode: async (_codec: Buffer, inputs: readonly DecodeInput[]) => {
        await turns(5); // the container runs: the event loop is free meanwhile
        metricsDoneAtReturn.push(timings.metrics_ms);
        return {
          ok: true as const,
          value: inputs.map((input): RunOutput<Buffer> => ({
            frames: input.encoded.map((e) => e.compressed),
            wallS: 0.1,
          })),
        };
      },
    } as unknown as SandboxCalls;
    let clock = 0;
    const outcome = await sweepStage(calls, Buffer.from('codec'), [clip], [0.1, 0.5, 0.9], {
      concurrency: 1,
      batching: true,
      now: () => (clock += 1),
      log: createLogger({ level: 'silent' }),
    });
    if (!outcome.ok) throw new Error('the sweep failed');
    expect(outcome.value.clips[0]?.points.map((p) => p.psnr_y_db)).toEqual([100, 100, 100]);
    // Decoder containers for 0.1, 0.5 and 0.9: by the time the second and third returned, the
    // points of the ones before had their metrics (1 ms each on this clock).
    expect(metricsDoneAtReturn).toEqual([0, 1, 2]);
    expect(timings.metrics_ms).toBe(3);
  });
});
