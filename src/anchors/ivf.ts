/**
 * The bytes of an IVF file that are bitstream: the VP9 and AV1 anchors' encoder writes IVF, a
 * 32-byte file header and a 12-byte header (payload size, timestamp) before each frame's
 * payload. Only the payloads are counted, as a candidate codec's `compressed` bytes are: frame
 * boundaries come free to both. Pure; a malformed file is an error, never a guess.
 */
import { AnchorError } from './anchor-point.js';

const FILE_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 12;

export interface IvfPayloads {
  readonly fourcc: string;
  /** One entry per IVF frame (a VP9 superframe or AV1 temporal unit may hold hidden frames). */
  readonly frameBytes: readonly number[];
  readonly payloadBytes: number;
}

/** The payload sizes of an IVF file whose FourCC must be `fourcc` (e.g. `VP90`, `AV01`). */
export function ivfPayloads(file: Uint8Array, fourcc: string, what: string): IvfPayloads {
  const bad = (problem: string): AnchorError =>
    new AnchorError(
      'FFMPEG_FAILED',
      `${what}: the encoder's IVF output is malformed (${problem}); ` +
        `set CODEC_LAB_FFMPEG to another ffmpeg build`,
    );
  const data = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (data.length < FILE_HEADER_BYTES || data.toString('latin1', 0, 4) !== 'DKIF') {
    throw bad('no DKIF signature');
  }
  const headerBytes = data.readUInt16LE(6);
  if (headerBytes !== FILE_HEADER_BYTES) throw bad(`header length ${headerBytes}`);
  const found = data.toString('latin1', 8, 12);
  if (found !== fourcc) throw bad(`FourCC ${JSON.stringify(found)}, expected ${fourcc}`);
  const frameBytes: number[] = [];
  let offset = FILE_HEADER_BYTES;
  while (offset < data.length) {
    if (offset + FRAME_HEADER_BYTES > data.length) throw bad('truncated frame header');
    const size = data.readUInt32LE(offset);
    offset += FRAME_HEADER_BYTES;
    if (size === 0 || offset + size > data.length) {
      throw bad(`frame ${frameBytes.length} claims ${size} bytes`);
    }
    frameBytes.push(size);
    offset += size;
  }
  if (frameBytes.length === 0) throw bad('no frames');
  return {
    fourcc: found,
    frameBytes,
    payloadBytes: frameBytes.reduce((sum, size) => sum + size, 0),
  };
}
