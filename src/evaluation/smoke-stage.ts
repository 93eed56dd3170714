/**
 * The smoke stage: the tiny smoke clip encoded in two fresh containers (equal bytes mean a
 * deterministic encoder: a codec cannot replay the first run's output from /tmp or shared
 * memory), then decoded once. Always per-point containers, batched sweep or not. It passes with
 * the codec's behavioural fingerprint (behaviour.ts), computed from the bytes received.
 */
import { decodeInputOf } from './batch-protocol.js';
import { behaviourFingerprint } from './behaviour.js';
import { cause } from './cause.js';
import type { Clip } from './clip.js';
import { mapLimited } from './map-limited.js';
import { firstDifference } from './protocol.js';
import type { SandboxCalls, StageOutcome } from './sandbox-calls.js';

export async function smokeStage(
  calls: SandboxCalls,
  codec: Buffer,
  clip: Clip,
  quality: number,
  concurrency: number,
): Promise<StageOutcome<string>> {
  const [first, second] = await mapLimited(
    [0, 1],
    concurrency,
    () => calls.encode(codec, clip, [quality]),
    (outcome) => !outcome.ok,
  );
  if (first && !first.ok) return first;
  if (second && !second.ok) return second;
  const a = first?.value[0];
  const b = second?.value[0];
  if (!a || !b) throw new Error('smoke: an encode did not run');
  const difference = firstDifference(a.frames, b.frames);
  if (difference >= 0) {
    return {
      ok: false,
      failure: {
        category: 'nondeterministic',
        message: `encoding the same frames twice gave different bytes at frame ${difference}; make the encoder deterministic (no time, no unseeded randomness, no state outside config['state'])`,
        cause: cause('nondeterministic', { run: 'encode', frame: difference }),
      },
      log: '',
    };
  }
  const decoded = await calls.decode(codec, [decodeInputOf(clip, quality, a.frames)]);
  if (!decoded.ok) return decoded;
  const [output] = decoded.value;
  if (output === undefined) throw new Error('smoke: the decoder returned no run');
  const { name, width, height } = clip;
  const behaviour = { clip: name, width, height, quality, encoded: a.frames };
  return { ok: true, value: behaviourFingerprint({ ...behaviour, decoded: output.frames }) };
}
