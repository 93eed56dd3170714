/**
 * Behavioural fingerprints: what a codec did on the smoke clip, as one sha256, computed here
 * from the bytes the orchestrator received (never from anything a container claims). Two codecs
 * with equal fingerprints wrote the same bitstreams and metadata and decoded the same frames
 * from the same input: the second one's edit changed nothing the smoke stage can see. Pure.
 */
import { createHash } from 'node:crypto';
import type { EncodedFrame } from './protocol.js';

export interface SmokeBehaviour {
  /** What the codec was given: the smoke clip's identity and the quality. */
  readonly clip: string;
  readonly width: number;
  readonly height: number;
  readonly quality: number;
  readonly encoded: readonly EncodedFrame[];
  readonly decoded: readonly Buffer[];
}

/** Every field is length-prefixed, so no two different behaviours share a byte stream. */
export function behaviourFingerprint(behaviour: SmokeBehaviour): string {
  const hash = createHash('sha256');
  const put = (bytes: Buffer): void => {
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(bytes.length));
    hash.update(length).update(bytes);
  };
  put(Buffer.from('codec-lab behaviour v1', 'utf8'));
  put(
    Buffer.from(
      JSON.stringify([behaviour.clip, behaviour.width, behaviour.height, behaviour.quality]),
      'utf8',
    ),
  );
  put(Buffer.from(`${behaviour.encoded.length} ${behaviour.decoded.length}`, 'utf8'));
  for (const frame of behaviour.encoded) {
    put(frame.compressed);
    put(frame.metadata);
  }
  for (const frame of behaviour.decoded) put(frame);
  return hash.digest('hex');
}

export function isFingerprint(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}
