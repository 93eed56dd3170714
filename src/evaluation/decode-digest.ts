import { createHash } from 'node:crypto';

/** SHA-256 over a point's decoded frames in order: what the isolation check compares. */
export function decodedDigest(frames: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const frame of frames) hash.update(frame);
  return hash.digest('hex');
}
