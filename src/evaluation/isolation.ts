/**
 * The isolation check before an adoption (docs/ARCHITECTURE.md §3): every decoder container of the given
 * evaluations runs again, as it ran (a per-quality batch stays one batch), with no other
 * sandbox on the host running, from the same counted bytes, and each of its points must
 * return the same frames byte for byte. A decoder that read anything besides its inputs (a
 * channel to a concurrently running encoder or decoder of another quality, timing, host
 * state) cannot pass it, whatever the channel was. This is what lets decoder containers run
 * concurrently with the candidate's other containers during the sweep.
 */
import type { Sandbox } from '../sandbox/sandbox.js';
import type { DecodeInput } from './batch-protocol.js';
import { cause } from './cause.js';
import { decodedDigest } from './decode-digest.js';
import { interpretRun } from './protocol.js';
import type { IsolationOutcome } from './results.js';
import { checkedFrames, decodeRequestFor } from './sandbox-calls.js';
import type { CodecParams } from './tunables.js';

/** One decoder container of a measured sweep: what it was given, a digest of each point's frames. */
export interface DecoderEvidence {
  readonly inputs: readonly (DecodeInput & { readonly clip: string })[];
  readonly decodedSha256: readonly string[];
  /** The config['params'] it ran with: the check runs it with the same. */
  readonly params: CodecParams | null;
}

export async function checkIsolation(
  sandbox: Sandbox,
  now: () => number,
  codec: Buffer,
  containers: readonly DecoderEvidence[],
): Promise<IsolationOutcome> {
  const started = now();
  let decodes = 0;
  return sandbox.alone(async (run) => {
    for (const container of containers) {
      const request = decodeRequestFor(codec, container.inputs, sandbox, container.params);
      const outcome = interpretRun(await run(request), sandbox.limits, request.timeoutMs);
      // A failed container is blamed on the run that failed (the first, if it does not say).
      const last = outcome.ok ? container.inputs.length - 1 : (outcome.runIndex ?? 0);
      for (const [index, input] of container.inputs.entries()) {
        if (index > last) break;
        decodes += 1;
        const frames = outcome.ok ? checkedFrames(outcome.files, input, index) : null;
        const same =
          Array.isArray(frames) && decodedDigest(frames) === container.decodedSha256[index];
        if (same || (!outcome.ok && index < last)) continue;
        const what = outcome.ok
          ? 'returned different frames'
          : `failed (${outcome.failure.category}: ${outcome.failure.message})`;
        return {
          ok: false,
          failure: {
            category: 'nondeterministic',
            message: `decoding clip ${input.clip} at quality ${input.quality} again, with no other sandbox on the host running, ${what}: its output depended on something other than its counted bytes, so its measurement cannot be trusted`,
            cause: cause('nondeterministic', {
              run: 'decode',
              clip: input.clip,
              quality: input.quality,
            }),
            point: { clip: input.clip, quality: input.quality },
          },
          log: outcome.ok ? '' : outcome.log,
          decodes,
          wallMs: now() - started,
        };
      }
    }
    return { ok: true, decodes, wallMs: now() - started };
  });
}
