/**
 * Splits Docker's multiplexed attach stream (8-byte frame headers, Tty off) into stdout and
 * stderr while reading, keeping at most a cap of each. Pure: fed chunks, holds buffers.
 */
export interface CappedBuffer {
  readonly chunks: Buffer[];
  bytes: number;
  overflow: boolean;
}

const HEADER_BYTES = 8;
export const FRAME_PREFIX_BYTES = 8;
/** The harness's stderr line once it waits for its job (sandbox-image/harness/harness.py). */
export const READY_MARKER = '[harness] codec-lab-harness-ready\n';
const STDOUT = 1;
const STDERR = 2;

export class DockerStreamDemuxer {
  readonly stdout: CappedBuffer = { chunks: [], bytes: 0, overflow: false };
  readonly stderr: CappedBuffer = { chunks: [], bytes: 0, overflow: false };
  private pending: Buffer = Buffer.alloc(0);
  private expectedLength: number | null = null;
  private readySeen = false;
  private frameType = 0;
  private frameRemaining = 0;

  constructor(
    public stdoutCap: number,
    public readonly stderrCap: number,
    private readonly onOverflow: () => void = () => {},
    private readonly onFramed: () => void = () => {},
    private readonly onReady: () => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.frameRemaining === 0) {
        if (data.length < HEADER_BYTES) {
          this.pending = Buffer.from(data);
          return;
        }
        this.frameType = data.readUInt8(0);
        this.frameRemaining = data.readUInt32BE(4);
        data = data.subarray(HEADER_BYTES);
        continue;
      }
      const take = Math.min(this.frameRemaining, data.length);
      this.accept(this.frameType, data.subarray(0, take));
      this.frameRemaining -= take;
      data = data.subarray(take);
    }
  }

  private accept(type: number, bytes: Buffer): void {
    if (type === STDERR) {
      // Every stream that leaves the container is capped: past the cap a run is a flood.
      this.keep(this.stderr, this.stderrCap, bytes, true);
      if (
        !this.readySeen &&
        Buffer.concat(this.stderr.chunks).toString('utf8').includes(READY_MARKER)
      ) {
        this.readySeen = true;
        this.onReady();
      }
    }
    if (type !== STDOUT) return;
    this.keep(this.stdout, this.stdoutCap, bytes, true);
    if (this.expectedLength === null && this.stdout.bytes >= FRAME_PREFIX_BYTES) {
      const length = Buffer.concat(this.stdout.chunks).readBigUInt64BE(0);
      this.expectedLength = length > BigInt(this.stdoutCap) ? this.stdoutCap + 1 : Number(length);
      if (FRAME_PREFIX_BYTES + this.expectedLength > this.stdoutCap && !this.stdout.overflow) {
        this.stdout.overflow = true;
        this.onOverflow();
      }
    }
    if (this.framedComplete()) this.onFramed();
  }

  private keep(target: CappedBuffer, cap: number, bytes: Buffer, signal: boolean): void {
    const room = cap - target.bytes;
    if (room > 0) {
      const kept = bytes.length <= room ? bytes : bytes.subarray(0, room);
      target.chunks.push(Buffer.from(kept));
      target.bytes += kept.length;
    }
    if (bytes.length > room && !target.overflow) {
      target.overflow = true;
      if (signal) this.onOverflow();
    }
  }

  stdoutBuffer(): Buffer {
    return Buffer.concat(this.stdout.chunks);
  }

  /** The framed payload once all of it has arrived, else null. */
  framedPayload(): Buffer | null {
    if (!this.framedComplete()) return null;
    const length = this.expectedLength ?? 0;
    return this.stdoutBuffer().subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + length);
  }

  /**
   * The harness frames its result as an 8-byte big-endian length and then that many bytes,
   * so a run is over when the last byte arrives, before the container is torn down.
   */
  framedComplete(): boolean {
    return (
      this.expectedLength !== null && this.stdout.bytes >= FRAME_PREFIX_BYTES + this.expectedLength
    );
  }

  /** The harness's diagnostics, without its readiness line. */
  stderrText(): string {
    return Buffer.concat(this.stderr.chunks).toString('utf8').replace(READY_MARKER, '');
  }
}
