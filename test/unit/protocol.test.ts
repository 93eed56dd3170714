import { describe, expect, it } from 'vitest';

import type { Clip } from '../../src/evaluation/clip.js';
import {
  MAX_LOG_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_TRACEBACK_CHARS,
  PROTOCOL_VERSION,
  countedBytes,
  decodeRequest,
  decodedFrames,
  encodeRequest,
  encodedFrames,
  firstDifference,
  interpretRun,
  maxFrameBytes,
  validateRequest,
  type CompletedRun,
  type EncodedFrame,
  type FailedRun,
} from '../../src/evaluation/protocol.js';
import type {
  SandboxLimits,
  SandboxOutput,
  SandboxRequest,
  SandboxRun,
} from '../../src/sandbox/sandbox.js';

const LIMITS: SandboxLimits = {
  timeoutMs: 12_500,
  memoryLimitMb: 256,
  cpus: 2.5,
  pidsLimit: 32,
  tmpfsMb: 64,
};
const MIB = 1024 * 1024;
const KIB = 1024;

function harnessResult(runs: unknown[], over: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({ protocol: 1, mode: 'encode', python: '3.11.2', runs, ...over }),
  );
}

const okRun = { failure: null, wall_s: 0.25, log: 'hello from codec', log_truncated: false };

function filesOutput(entries: Record<string, Buffer>): SandboxOutput {
  return { ok: true, files: new Map(Object.entries(entries)) };
}

function sandboxRun(over: Partial<SandboxRun> = {}): SandboxRun {
  return {
    exitCode: 0,
    oomKilled: false,
    timedOut: false,
    outputOverflow: false,
    output: filesOutput({ 'result.json': harnessResult([okRun]) }),
    stderr: '',
    wallMs: 300,
    acquireMs: 0,
    packMs: 1,
    parseMs: 1,
    imageId: 'sha256:abc',
    ...over,
  };
}

function failedOf(result: CompletedRun | FailedRun): FailedRun {
  if (result.ok) throw new Error('expected a failed run');
  return result;
}

function completedOf(result: CompletedRun | FailedRun): CompletedRun {
  if (!result.ok) throw new Error(`expected a completed run: ${result.failure.message}`);
  return result;
}

function runWithFailure(failure: Record<string, unknown>, over: Partial<SandboxRun> = {}) {
  return sandboxRun({
    output: filesOutput({
      'result.json': harnessResult([{ ...okRun, failure, log: 'printed before dying' }]),
    }),
    ...over,
  });
}

describe('interpretRun', () => {
  it('returns the files, runs and python version of a run that completed', () => {
    const bin = Buffer.from([1, 2, 3]);
    const run = sandboxRun({
      output: filesOutput({
        'result.json': harnessResult([okRun, { ...okRun, wall_s: 0.5 }]),
        'run0/000000.bin': bin,
      }),
    });
    const result = completedOf(interpretRun(run, LIMITS));
    expect(result.python).toBe('3.11.2');
    expect(result.runs.map((entry) => entry.wall_s)).toEqual([0.25, 0.5]);
    expect(result.files.get('run0/000000.bin')).toBe(bin);
    expect([...result.files.keys()].sort()).toEqual(['result.json', 'run0/000000.bin']);
  });

  it('calls a run killed at its deadline a timeout, even when its output is fine', () => {
    const result = failedOf(interpretRun(sandboxRun({ timedOut: true }), LIMITS));
    expect(result.failure.category).toBe('timeouts');
    expect(result.failure.message).toContain('12.5 s');
    expect(result.log).toBe('');
  });

  it('ranks the deadline above an overflow and an OOM kill', () => {
    const run = sandboxRun({ timedOut: true, outputOverflow: true, oomKilled: true });
    expect(failedOf(interpretRun(run, LIMITS)).failure.category).toBe('timeouts');
  });

  it('calls an overflowing result stream an output flood, even with a valid result', () => {
    const run = sandboxRun({ outputOverflow: true, oomKilled: true });
    expect(failedOf(interpretRun(run, LIMITS)).failure.category).toBe('output_flood');
  });

  it('calls a run with no result that was OOM-killed memory_exceeded', () => {
    const run = sandboxRun({ exitCode: 137, oomKilled: true, output: filesOutput({}) });
    const failure = failedOf(interpretRun(run, LIMITS)).failure;
    expect(failure.category).toBe('memory_exceeded');
    expect(failure.message).toContain('256 MB');
  });

  it('calls a run with a refused tar that was OOM-killed memory_exceeded', () => {
    const run = sandboxRun({ oomKilled: true, output: { ok: false, reason: 'truncated' } });
    expect(failedOf(interpretRun(run, LIMITS)).failure.category).toBe('memory_exceeded');
  });

  it('calls a run that died without a result a crash, quoting the exit code and harness', () => {
    const run = sandboxRun({
      exitCode: 137,
      output: filesOutput({}),
      stderr: '\n  harness: killed by SIGKILL  \n',
    });
    const failure = failedOf(interpretRun(run, LIMITS)).failure;
    expect(failure.category).toBe('crashes');
    expect(failure.message).toContain('exited with code 137');
    expect(failure.message).toContain('no readable result.json');
    expect(failure.message).toContain('harness said:\nharness: killed by SIGKILL');
    expect(failure.line).toBeUndefined();
  });

  it('passes the tar refusal reason on and says when the exit code is unknown', () => {
    const run = sandboxRun({
      exitCode: null,
      output: { ok: false, reason: "entry 'x' is a symlink, not a regular file" },
    });
    const failure = failedOf(interpretRun(run, LIMITS)).failure;
    expect(failure.category).toBe('crashes');
    expect(failure.message).toContain('code unknown');
    expect(failure.message).toContain("entry 'x' is a symlink");
    expect(failure.message).not.toContain('harness said');
  });

  it('keeps only the last 2000 characters of the harness stderr', () => {
    const stderr = `${'a'.repeat(3000)}${'z'.repeat(2000)}`;
    const run = sandboxRun({ exitCode: 1, output: filesOutput({}), stderr });
    const message = failedOf(interpretRun(run, LIMITS)).failure.message;
    expect(message).toContain(`harness said:\n${'z'.repeat(2000)}`);
    expect(message).not.toContain('az');
  });

  it.each([
    ['a wrong protocol number', harnessResult([okRun], { protocol: 2 })],
    ['an unknown mode', harnessResult([okRun], { mode: 'train' })],
    ['no runs', harnessResult([])],
    ['a run without wall_s', harnessResult([{ failure: null, log: '', log_truncated: false }])],
    ['a negative wall_s', harnessResult([{ ...okRun, wall_s: -1 }])],
    ['a failure without message', harnessResult([{ ...okRun, failure: { category: 'x' } }])],
    ['no python field', harnessResult([okRun], { python: undefined })],
    ['invalid JSON', Buffer.from('{"protocol":1,')],
    ['a JSON array', Buffer.from('[]')],
  ])('calls a result.json with %s a crash', (_what, resultJson) => {
    const run = sandboxRun({ exitCode: 0, output: filesOutput({ 'result.json': resultJson }) });
    const failure = failedOf(interpretRun(run, LIMITS)).failure;
    expect(failure.category).toBe('crashes');
    expect(failure.message).toContain('no readable result.json');
  });

  it('reports the codec failure the harness recorded, with its log', () => {
    const result = failedOf(
      interpretRun(
        runWithFailure({ category: 'runtime_errors', message: 'ValueError: x' }),
        LIMITS,
      ),
    );
    expect(result.failure).toEqual({
      category: 'runtime_errors',
      message: 'ValueError: x',
      cause: null,
    });
    expect(result.log).toBe('printed before dying');
  });

  it("keeps a container's cause only when it fits the category the orchestrator decided", () => {
    const causeOf = (failure: Record<string, unknown>, over: Partial<SandboxRun> = {}) =>
      failedOf(interpretRun(runWithFailure(failure, over), LIMITS)).failure;
    const zero = {
      key: 'exception:ZeroDivisionError',
      subject: { exception: 'ZeroDivisionError' },
    };
    expect(causeOf({ category: 'runtime_errors', message: 'x', cause: zero }).cause).toEqual(zero);
    // A cause never moves the category, and one that does not fit it is dropped.
    const misfit = causeOf({
      category: 'runtime_errors',
      message: 'x',
      cause: { key: 'module:os' },
    });
    expect(misfit).toMatchObject({ category: 'runtime_errors', cause: null });
    expect(
      causeOf({ category: 'timeouts', message: 'x', cause: { key: 'limit:memory' } }).cause,
    ).toBeNull();
    expect(
      causeOf({ category: 'timeouts', message: 'x', cause: { key: 'limit:timeout' } }).cause,
    ).toEqual({ key: 'limit:timeout', subject: {} });
    for (const bad of [
      { key: 'made_up:x' },
      { key: 'exception:two words' },
      { key: `exception:${'E'.repeat(300)}` },
      'exception:ZeroDivisionError',
      { subject: {} },
    ]) {
      expect(causeOf({ category: 'runtime_errors', message: 'x', cause: bad }).cause).toBeNull();
    }
    // Subject fields are capped; malformed ones are dropped.
    const capped = causeOf({
      category: 'runtime_errors',
      message: 'x',
      cause: {
        key: 'exception:E',
        subject: { detail: 'd'.repeat(1000), 'Bad Field': 1, nested: { a: 1 }, line: 4 },
      },
    }).cause;
    expect(capped?.subject).toEqual({ detail: 'd'.repeat(200), line: 4 });
    // Categories the orchestrator overrides get the orchestrator's cause.
    expect(
      causeOf({ category: 'sandbox_error', message: 'x', cause: { key: 'no_report' } }).cause?.key,
    ).toBe('claimed_infrastructure');
    expect(
      causeOf(
        { category: 'crashes', message: 'x', cause: { key: 'signal:SIGKILL' } },
        { oomKilled: true },
      ),
    ).toMatchObject({ category: 'memory_exceeded', cause: { key: 'limit:memory' } });
    expect(causeOf({ category: 'cosmic_rays', message: 'x' }).cause?.key).toBe('unknown_category');
  });

  it('reports the first failing run of several', () => {
    const run = sandboxRun({
      output: filesOutput({
        'result.json': harnessResult([
          okRun,
          { ...okRun, failure: { category: 'timeouts', message: 'second' }, log: 'two' },
          { ...okRun, failure: { category: 'crashes', message: 'third' } },
        ]),
      }),
    });
    const result = failedOf(interpretRun(run, LIMITS));
    expect(result.failure.message).toBe('second');
    expect(result.log).toBe('two');
  });

  it('never takes sandbox_error from a container: only the orchestrator decides infrastructure failures', () => {
    const failure = failedOf(
      interpretRun(
        runWithFailure({ category: 'sandbox_error', message: 'bad job: excuse me' }),
        LIMITS,
      ),
    ).failure;
    expect(failure.category).toBe('crashes');
    expect(failure.message).toContain('only the orchestrator decides');
    expect(failure.message).toContain('bad job: excuse me');
  });

  it('caps the message, traceback and log a container reports, whatever it says it capped', () => {
    const huge = 'x'.repeat(1_000_000);
    const result = failedOf(
      interpretRun(
        sandboxRun({
          output: filesOutput({
            'result.json': harnessResult([
              {
                ...okRun,
                failure: { category: 'runtime_errors', message: huge, traceback: huge },
                log: huge,
                log_truncated: false,
              },
            ]),
          }),
        }),
        LIMITS,
      ),
    );
    expect(result.failure.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    expect(result.failure.traceback?.length).toBeLessThan(MAX_TRACEBACK_CHARS + 100);
    expect(result.log.length).toBeLessThan(MAX_LOG_CHARS + 100);
    expect(result.log).toContain('more characters cut');
    const completed = completedOf(
      interpretRun(
        sandboxRun({
          output: filesOutput({ 'result.json': harnessResult([{ ...okRun, log: huge }]) }),
        }),
        LIMITS,
      ),
    );
    expect(completed.runs[0]?.log.length).toBeLessThan(MAX_LOG_CHARS + 100);
  });

  it('keeps the container-reported codec time advisory, never above its own measurement', () => {
    const claimsSlow = completedOf(
      interpretRun(
        sandboxRun({
          wallMs: 300,
          output: filesOutput({ 'result.json': harnessResult([{ ...okRun, wall_s: 5000 }]) }),
        }),
        LIMITS,
      ),
    );
    expect(claimsSlow.wallMs).toBe(300);
    expect(claimsSlow.reportedCodecMs).toBe(300);
    const claimsFast = completedOf(
      interpretRun(
        sandboxRun({
          wallMs: 300,
          output: filesOutput({ 'result.json': harnessResult([{ ...okRun, wall_s: 1e-9 }]) }),
        }),
        LIMITS,
      ),
    );
    expect(claimsFast.wallMs).toBe(300);
    expect(claimsFast.reportedCodecMs).toBeCloseTo(1e-6, 12);
  });

  it('maps a failure category outside the vocabulary to other', () => {
    const failure = failedOf(
      interpretRun(runWithFailure({ category: 'cosmic_rays', message: 'bit flip' }), LIMITS),
    ).failure;
    expect(failure.category).toBe('other');
    expect(failure.message).toBe('bit flip');
  });

  it('turns a crash in a container that hit its memory limit into memory_exceeded', () => {
    const failure = failedOf(
      interpretRun(
        runWithFailure(
          { category: 'crashes', message: 'the codec died on signal SIGKILL' },
          { oomKilled: true, exitCode: 0 },
        ),
        LIMITS,
      ),
    ).failure;
    expect(failure.category).toBe('memory_exceeded');
    expect(failure.message).toBe(
      'the codec died on signal SIGKILL (the container hit its memory limit)',
    );
  });

  it('leaves a non-crash failure alone when the container was OOM-killed', () => {
    const failure = failedOf(
      interpretRun(
        runWithFailure({ category: 'runtime_errors', message: 'boom' }, { oomKilled: true }),
        LIMITS,
      ),
    ).failure;
    expect(failure.category).toBe('runtime_errors');
    expect(failure.message).toBe('boom');
  });

  it('takes the line of the last codec.py frame of the traceback', () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/opt/codec-lab/harness.py", line 180, in run_encode',
      '  File "codec.py", line 5, in compress_video_frame',
      '    return helper(frame)',
      '  File "codec.py", line 12, in helper',
      '    raise ValueError("bad")',
      '  File "/usr/lib/python3/dist-packages/numpy/core/fromnumeric.py", line 99, in sum',
      'ValueError: bad',
    ].join('\n');
    const failure = failedOf(
      interpretRun(
        runWithFailure({ category: 'runtime_errors', message: 'ValueError: bad', traceback }),
        LIMITS,
      ),
    ).failure;
    expect(failure.line).toBe(12);
    expect(failure.traceback).toBe(traceback);
  });

  it('gives no line for a traceback without a codec.py frame, nor for a "mycodec.py" one', () => {
    const traceback = '  File "mycodec.py", line 3, in f\n  File "harness.py", line 9, in g';
    const failure = failedOf(
      interpretRun(runWithFailure({ category: 'runtime_errors', message: 'x', traceback }), LIMITS),
    ).failure;
    expect('line' in failure).toBe(false);
    expect(failure.traceback).toBe(traceback);
  });
});

function jobOf(request: SandboxRequest): Record<string, unknown> {
  const job = request.files.find((file) => file.name === 'job.json');
  if (job === undefined) throw new Error('no job.json');
  return JSON.parse(job.data.toString('utf8')) as Record<string, unknown>;
}

/** A frame whose bytes are unique to (clip, index), so a leak into a request can be found. */
function distinctFrame(width: number, height: number, index: number): Buffer {
  const frame = Buffer.alloc(width * height * 3);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 7 + index * 101 + 13) % 251;
  return frame;
}

const CLIP: Clip = {
  name: 'tiny',
  width: 20,
  height: 18,
  fps: 30,
  frames: [0, 1, 2].map((index) => distinctFrame(20, 18, index)),
  source: '/clips/tiny.y4m',
};

const CODEC = Buffer.from('def compress_video_frame(frame, quality, config):\n    pass\n');

describe('validateRequest', () => {
  it('holds job.json and codec.py only', () => {
    const request = validateRequest(CODEC, LIMITS);
    expect(request.files.map((file) => file.name)).toEqual(['job.json', 'codec.py']);
    expect(request.files[1]?.data).toBe(CODEC);
    expect(jobOf(request)).toEqual({
      protocol: 1,
      mode: 'validate',
      deadline_s: 12.5,
      max_result_bytes: MIB,
    });
    expect(request.maxOutputBytes).toBe(MIB + 256 * KIB);
  });
});

describe('encodeRequest', () => {
  it('describes one encode of the clip and carries the frames', () => {
    const request = encodeRequest(CODEC, CLIP, 0.75, LIMITS);
    expect(request.files.map((file) => file.name)).toEqual(['job.json', 'codec.py', 'frames.bgr']);
    const perFrame = 4 * 20 * 18 * 3 + 64 * KIB;
    const perRun = 3 * 2 * perFrame + MIB;
    // toEqual on the whole job: a leftover `repeat` key would fail here.
    expect(jobOf(request)).toEqual({
      protocol: PROTOCOL_VERSION,
      mode: 'encode',
      width: 20,
      height: 18,
      fps: 30,
      quality: 0.75,
      frames: 3,
      deadline_s: 12.5,
      threads: 2,
      max_bitstream_bytes: perFrame,
      max_result_bytes: perRun,
    });
    const frames = request.files[2]?.data;
    expect(frames?.length).toBe(3 * 20 * 18 * 3);
    expect(frames?.equals(Buffer.concat(CLIP.frames as Buffer[]))).toBe(true);
    // One run per container: the output cap covers one run plus the log allowance.
    expect(request.maxOutputBytes).toBe(perRun + 256 * KIB);
  });

  it('takes the deadline from the limits', () => {
    const request = encodeRequest(CODEC, CLIP, 0.5, { ...LIMITS, timeoutMs: 60_000, cpus: 0.5 });
    expect(jobOf(request).deadline_s).toBe(60);
    expect(jobOf(request).threads).toBe(1);
  });

  it('builds the same request twice for the same inputs', () => {
    const first = encodeRequest(CODEC, CLIP, 0.5, LIMITS);
    const second = encodeRequest(CODEC, CLIP, 0.5, LIMITS);
    expect(second.maxOutputBytes).toBe(first.maxOutputBytes);
    expect(second.files.map((file) => [file.name, file.data.toString('hex')])).toEqual(
      first.files.map((file) => [file.name, file.data.toString('hex')]),
    );
  });
});

describe('decodeRequest', () => {
  const encoded: EncodedFrame[] = [0, 1, 2].map((index) => ({
    compressed: Buffer.from(`bits-${index}`),
    metadata: Buffer.from(`{"frame":${index}}`),
  }));

  it('gives the decoder the codec, the geometry and the bitstreams, never the frames', () => {
    // The evaluator passes the whole clip (frames included) spread into the geometry.
    const request = decodeRequest(CODEC, { ...CLIP, frameCount: 3 }, 0.25, encoded, LIMITS);
    const names = request.files.map((file) => file.name);
    expect(names).toEqual([
      'job.json',
      'codec.py',
      'enc/000000.bin',
      'enc/000000.json',
      'enc/000001.bin',
      'enc/000001.json',
      'enc/000002.bin',
      'enc/000002.json',
    ]);
    expect(names).not.toContain('frames.bgr');
    for (const name of names) {
      expect(
        name === 'job.json' || name === 'codec.py' || /^enc\/\d{6}\.(bin|json)$/.test(name),
      ).toBe(true);
    }
    for (const file of request.files) {
      for (const frame of CLIP.frames) {
        expect(file.data.includes(frame.subarray(0, 64))).toBe(false);
      }
    }
    expect(request.files[2]?.data.toString()).toBe('bits-0');
    expect(request.files[7]?.data.toString()).toBe('{"frame":2}');
    const frameBytes = 20 * 18 * 3;
    const perRun = 3 * (frameBytes + 1024) + MIB;
    expect(jobOf(request)).toEqual({
      protocol: 1,
      mode: 'decode',
      width: 20,
      height: 18,
      fps: 30,
      quality: 0.25,
      frames: 3,
      deadline_s: 12.5,
      threads: 2,
      max_result_bytes: perRun,
    });
    expect(request.maxOutputBytes).toBe(perRun + 256 * KIB);
  });
});

describe('byte accounting', () => {
  it('counts the bitstream and the metadata JSON', () => {
    expect(countedBytes({ compressed: Buffer.alloc(1000), metadata: Buffer.from('{"q":1}') })).toBe(
      1007,
    );
    expect(countedBytes({ compressed: Buffer.alloc(0), metadata: Buffer.from('{}') })).toBe(2);
  });

  it('allows a frame four times its raw size plus 64 KiB', () => {
    expect(maxFrameBytes(16, 16)).toBe(4 * 768 + 65_536);
    expect(maxFrameBytes(1920, 1080)).toBe(24_883_200 + 65_536);
  });
});

describe('firstDifference', () => {
  const frame = (bits: string, meta = '{}'): EncodedFrame => ({
    compressed: Buffer.from(bits),
    metadata: Buffer.from(meta),
  });

  it('is -1 for identical encodes', () => {
    expect(firstDifference([frame('a'), frame('b')], [frame('a'), frame('b')])).toBe(-1);
    expect(firstDifference([], [])).toBe(-1);
  });

  it('finds the first frame whose bitstream differs', () => {
    expect(
      firstDifference([frame('a'), frame('b'), frame('c')], [frame('a'), frame('B'), frame('C')]),
    ).toBe(1);
  });

  it('finds a frame whose metadata alone differs', () => {
    expect(
      firstDifference([frame('a'), frame('b', '{"t":1}')], [frame('a'), frame('b', '{"t":2}')]),
    ).toBe(1);
  });

  it('treats a missing frame as a difference', () => {
    expect(firstDifference([frame('a')], [frame('a'), frame('b')])).toBe(1);
    expect(firstDifference([frame('a'), frame('b')], [])).toBe(0);
  });
});

describe('encodedFrames and decodedFrames', () => {
  const files = new Map<string, Buffer>([
    ['run0/000000.bin', Buffer.from('r0f0')],
    ['run0/000000.json', Buffer.from('{"a":0}')],
    ['run0/000001.bin', Buffer.from('r0f1')],
    ['run0/000001.json', Buffer.from('{"a":1}')],
    ['run1/000000.bin', Buffer.from('r1f0')],
    ['run1/000000.json', Buffer.from('{"b":0}')],
    ['run1/000001.bin', Buffer.from('r1f1')],
    ['run0/frame000000.bgr', Buffer.from('d0')],
    ['run0/frame000001.bgr', Buffer.from('d1')],
  ]);

  it('reads the frames of run0 in order, ignoring any other run', () => {
    const frames = encodedFrames(files, 2);
    expect(frames?.map((f) => [f.compressed.toString(), f.metadata.toString()])).toEqual([
      ['r0f0', '{"a":0}'],
      ['r0f1', '{"a":1}'],
    ]);
    expect(encodedFrames(files, 1)?.map((f) => f.compressed.toString())).toEqual(['r0f0']);
  });

  it('is null when a bitstream or a metadata file is missing', () => {
    expect(encodedFrames(files, 3)).toBeNull();
    const noMetadata = new Map(files);
    noMetadata.delete('run0/000001.json');
    expect(encodedFrames(noMetadata, 2)).toBeNull();
    const noBitstream = new Map(files);
    noBitstream.delete('run0/000000.bin');
    expect(encodedFrames(noBitstream, 1)).toBeNull();
  });

  it('does not take frames from run1 when run0 lacks them', () => {
    const onlyRun1 = new Map([...files].filter(([name]) => name.startsWith('run1/')));
    expect(onlyRun1.size).toBe(3);
    expect(encodedFrames(onlyRun1, 1)).toBeNull();
  });

  it('is an empty list for zero frames', () => {
    expect(encodedFrames(new Map(), 0)).toEqual([]);
  });

  it('reads decoded frames in order and is null when one is missing', () => {
    expect(decodedFrames(files, 2)?.map((f) => f.toString())).toEqual(['d0', 'd1']);
    expect(decodedFrames(files, 3)).toBeNull();
    expect(decodedFrames(new Map(), 1)).toBeNull();
  });
});
