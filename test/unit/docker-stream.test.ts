import { describe, expect, it } from 'vitest';

import {
  DockerStreamDemuxer,
  FRAME_PREFIX_BYTES,
  READY_MARKER,
} from '../../src/sandbox/docker-stream.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;

/** One frame of Docker's multiplexed stream: type, three zero bytes, big-endian length, payload. */
function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** What the harness writes on stdout: an 8-byte big-endian length, then that many bytes. */
function framedStdout(payload: Buffer): Buffer {
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64BE(BigInt(payload.length));
  return Buffer.concat([prefix, payload]);
}

/** Pushes `data` cut at the given offsets. */
function pushCut(demuxer: DockerStreamDemuxer, data: Buffer, cuts: readonly number[]): void {
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    demuxer.push(data.subarray(from, cut));
    from = cut;
  }
}

function counter(): { calls: number; fn: () => void } {
  const state = {
    calls: 0,
    fn: () => {
      state.calls += 1;
    },
  };
  return state;
}

describe('DockerStreamDemuxer', () => {
  it('splits whole frames into stdout and stderr', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    demuxer.push(Buffer.concat([frame(STDOUT, 'out-1 '), frame(STDERR, 'err-1')]));
    expect(demuxer.stdoutBuffer().toString()).toBe('out-1 ');
    expect(demuxer.stderrText()).toBe('err-1');
    expect(demuxer.stdout.bytes).toBe(6);
    expect(demuxer.stderr.bytes).toBe(5);
    expect(demuxer.stdout.overflow).toBe(false);
    expect(demuxer.stderr.overflow).toBe(false);
  });

  it('reassembles a header split in the middle', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const data = Buffer.concat([frame(STDOUT, 'hello'), frame(STDERR, 'warn')]);
    // Cuts at 3 and 5 fall inside the first header; 16 falls inside the second one.
    pushCut(demuxer, data, [3, 5, 16]);
    expect(demuxer.stdoutBuffer().toString()).toBe('hello');
    expect(demuxer.stderrText()).toBe('warn');
  });

  it('reassembles a payload split across chunks', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const payload = Buffer.from(Array.from({ length: 292 }, (_, i) => i % 251));
    const stdout = framedStdout(payload);
    pushCut(demuxer, frame(STDOUT, stdout), [8, 9, 12, 100, 101, 250]);
    expect(demuxer.stdoutBuffer().equals(stdout)).toBe(true);
    expect(demuxer.stdout.bytes).toBe(300);
    expect(demuxer.stdout.overflow).toBe(false);
    expect(demuxer.framedPayload()?.equals(payload)).toBe(true);
  });

  it('survives being fed one byte at a time', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const data = Buffer.concat([
      frame(STDOUT, 'ab'),
      frame(STDERR, 'x'),
      frame(STDOUT, ''),
      frame(STDOUT, 'cd'),
      frame(STDERR, 'yz'),
    ]);
    for (let i = 0; i < data.length; i++) demuxer.push(data.subarray(i, i + 1));
    expect(demuxer.stdoutBuffer().toString()).toBe('abcd');
    expect(demuxer.stderrText()).toBe('xyz');
  });

  it('keeps interleaved stdout and stderr in their own order', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const data = Buffer.concat([
      frame(STDOUT, '1'),
      frame(STDERR, 'a'),
      frame(STDOUT, '2'),
      frame(STDERR, 'b'),
      frame(STDOUT, '3'),
    ]);
    pushCut(demuxer, data, [4, 10, 20, 27]);
    expect(demuxer.stdoutBuffer().toString()).toBe('123');
    expect(demuxer.stderrText()).toBe('ab');
  });

  it('keeps exactly the stdout cap, flags the overflow and signals it once', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(10, 1024, overflow.fn);
    demuxer.push(frame(STDOUT, '0123456'));
    expect(overflow.calls).toBe(0);
    demuxer.push(frame(STDOUT, '789ABCDEF'));
    demuxer.push(frame(STDOUT, 'more'));
    demuxer.push(frame(STDOUT, 'and more'));
    expect(demuxer.stdout.bytes).toBe(10);
    expect(demuxer.stdoutBuffer().toString()).toBe('0123456789');
    expect(demuxer.stdout.overflow).toBe(true);
    expect(overflow.calls).toBe(1);
    expect(demuxer.stderr.overflow).toBe(false);
  });

  it('does not flag output that fills the cap exactly', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(5, 5, overflow.fn);
    demuxer.push(frame(STDOUT, '12345'));
    demuxer.push(frame(STDERR, 'abcde'));
    expect(demuxer.stdout.overflow).toBe(false);
    expect(demuxer.stderr.overflow).toBe(false);
    expect(overflow.calls).toBe(0);
    demuxer.push(frame(STDOUT, '6'));
    expect(demuxer.stdout.overflow).toBe(true);
    expect(demuxer.stdoutBuffer().toString()).toBe('12345');
    expect(overflow.calls).toBe(1);
  });

  it('caps stderr and signals the overflow once, like stdout (issue 11: every stream is capped)', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(1024, 4, overflow.fn);
    demuxer.push(frame(STDERR, 'abcdefgh'));
    demuxer.push(frame(STDERR, 'ijkl'));
    demuxer.push(frame(STDOUT, 'fine'));
    expect(demuxer.stderr.bytes).toBe(4);
    expect(demuxer.stderrText()).toBe('abcd');
    expect(demuxer.stderr.overflow).toBe(true);
    expect(overflow.calls).toBe(1);
    expect(demuxer.stdoutBuffer().toString()).toBe('fine');
    expect(demuxer.stdout.overflow).toBe(false);
  });

  it('caps a single frame that is split across chunks', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(6, 1024, overflow.fn);
    const data = frame(STDOUT, 'abcdefghijklmnop');
    pushCut(demuxer, data, [10, 13, 20]);
    expect(demuxer.stdoutBuffer().toString()).toBe('abcdef');
    expect(demuxer.stdout.bytes).toBe(6);
    expect(overflow.calls).toBe(1);
  });

  it('ignores frames of an unknown stream type and keeps parsing after them', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const data = Buffer.concat([
      frame(STDOUT, 'a'),
      frame(STDIN, 'stdin-echo'),
      frame(3, 'system-error'),
      frame(7, 'junk'),
      frame(STDERR, 'b'),
      frame(STDOUT, 'c'),
    ]);
    pushCut(demuxer, data, [12, 30]);
    expect(demuxer.stdoutBuffer().toString()).toBe('ac');
    expect(demuxer.stderrText()).toBe('b');
    expect(demuxer.stdout.bytes).toBe(2);
    expect(demuxer.stderr.bytes).toBe(1);
  });

  it('holds an incomplete header until the rest arrives', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const data = frame(STDOUT, 'xyz');
    demuxer.push(data.subarray(0, 7));
    expect(demuxer.stdout.bytes).toBe(0);
    expect(demuxer.stdoutBuffer().length).toBe(0);
    demuxer.push(data.subarray(7));
    expect(demuxer.stdoutBuffer().toString()).toBe('xyz');
  });

  it('reads the frame length as an unsigned 32-bit big-endian number', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    const payload = Buffer.alloc(0x0102, 0x61);
    demuxer.push(frame(STDERR, payload));
    demuxer.push(frame(STDOUT, 'x'));
    expect(demuxer.stderr.bytes).toBe(258);
    expect(demuxer.stdoutBuffer().toString()).toBe('x');
  });
});

describe('DockerStreamDemuxer, framed stdout', () => {
  it('uses an 8-byte length prefix', () => {
    expect(FRAME_PREFIX_BYTES).toBe(8);
  });

  it('has no payload until its last byte arrives, then exactly the payload', () => {
    const framed = counter();
    const demuxer = new DockerStreamDemuxer(1024, 1024, () => {}, framed.fn);
    const payload = Buffer.from('the result tar');
    const stdout = framedStdout(payload);
    // Prefix split across two Docker frames, payload across two more; stderr in between.
    demuxer.push(frame(STDOUT, stdout.subarray(0, 5)));
    demuxer.push(frame(STDERR, 'log line'));
    demuxer.push(frame(STDOUT, stdout.subarray(5, 12)));
    expect(demuxer.framedComplete()).toBe(false);
    expect(demuxer.framedPayload()).toBeNull();
    demuxer.push(frame(STDOUT, stdout.subarray(12, stdout.length - 1)));
    expect(demuxer.framedPayload()).toBeNull();
    expect(framed.calls).toBe(0);
    demuxer.push(frame(STDOUT, stdout.subarray(stdout.length - 1)));
    expect(demuxer.framedComplete()).toBe(true);
    expect(demuxer.framedPayload()?.toString()).toBe('the result tar');
    expect(framed.calls).toBe(1);
    expect(demuxer.stderrText()).toBe('log line');
  });

  it('completes at once for an empty payload', () => {
    const framed = counter();
    const demuxer = new DockerStreamDemuxer(64, 64, () => {}, framed.fn);
    demuxer.push(frame(STDOUT, framedStdout(Buffer.alloc(0))));
    expect(demuxer.framedPayload()?.length).toBe(0);
    expect(framed.calls).toBe(1);
  });

  it('ignores bytes after the framed payload', () => {
    const demuxer = new DockerStreamDemuxer(1024, 1024);
    demuxer.push(
      frame(STDOUT, Buffer.concat([framedStdout(Buffer.from('abc')), Buffer.from('zz')])),
    );
    expect(demuxer.framedPayload()?.toString()).toBe('abc');
  });

  it('signals the overflow as soon as the prefix declares more than the cap, once', () => {
    const overflow = counter();
    const framed = counter();
    const demuxer = new DockerStreamDemuxer(100, 1024, overflow.fn, framed.fn);
    const stdout = framedStdout(Buffer.alloc(93, 7));
    demuxer.push(frame(STDOUT, stdout.subarray(0, 8)));
    expect(demuxer.stdout.overflow).toBe(true);
    expect(overflow.calls).toBe(1);
    demuxer.push(frame(STDOUT, stdout.subarray(8)));
    expect(overflow.calls).toBe(1);
    expect(demuxer.stdout.bytes).toBe(100);
    expect(demuxer.framedPayload()).toBeNull();
    expect(framed.calls).toBe(0);
  });

  it('accepts a payload that fills the cap exactly', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(100, 1024, overflow.fn);
    demuxer.push(frame(STDOUT, framedStdout(Buffer.alloc(92, 7))));
    expect(demuxer.stdout.overflow).toBe(false);
    expect(overflow.calls).toBe(0);
    expect(demuxer.framedPayload()?.length).toBe(92);
  });

  it('treats a 64-bit length beyond any cap as an overflow', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(1024, 1024, overflow.fn);
    demuxer.push(frame(STDOUT, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
    expect(demuxer.stdout.overflow).toBe(true);
    expect(overflow.calls).toBe(1);
    expect(demuxer.framedComplete()).toBe(false);
  });

  it('follows a cap raised before the data arrives', () => {
    const overflow = counter();
    const demuxer = new DockerStreamDemuxer(16, 1024, overflow.fn);
    demuxer.stdoutCap = 8 + 50;
    demuxer.push(frame(STDOUT, framedStdout(Buffer.alloc(50, 1))));
    expect(overflow.calls).toBe(0);
    expect(demuxer.framedPayload()?.length).toBe(50);
  });
});

describe('DockerStreamDemuxer, harness readiness', () => {
  it('signals once when the ready line arrives, even split across frames, and hides it', () => {
    let ready = 0;
    const demuxer = new DockerStreamDemuxer(
      0,
      1024,
      () => {},
      () => {},
      () => (ready += 1),
    );
    demuxer.push(frame(2, 'booting\n'));
    expect(ready).toBe(0);
    demuxer.push(frame(2, READY_MARKER.slice(0, 10)));
    expect(ready).toBe(0);
    demuxer.push(frame(2, READY_MARKER.slice(10)));
    expect(ready).toBe(1);
    demuxer.push(frame(2, `${READY_MARKER}later\n`));
    expect(ready).toBe(1);
    // Only the harness's own (first) ready line is hidden.
    expect(demuxer.stderrText()).toBe(`booting\n${READY_MARKER}later\n`);
  });

  it('does not take the marker from stdout, where a codec could not put it either', () => {
    let ready = 0;
    const demuxer = new DockerStreamDemuxer(
      1024,
      1024,
      () => {},
      () => {},
      () => (ready += 1),
    );
    demuxer.push(frame(1, READY_MARKER));
    expect(ready).toBe(0);
  });
});
