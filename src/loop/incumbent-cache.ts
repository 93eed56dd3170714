import type { Clip } from '../evaluation/clip.js';
import type { EvaluateOptions, EvaluationResult } from '../evaluation/evaluator.js';

type Evaluate = (
  code: Buffer,
  clips: readonly Clip[],
  options: EvaluateOptions,
) => Promise<EvaluationResult>;

/**
 * The incumbent's own evaluations, measured once per clip set and reused for every candidate
 * compared with it (a deterministic codec on the same clips, image and qualities). Only the
 * current incumbent's results are kept; a failed measurement is not remembered.
 */
export class IncumbentCache {
  private readonly results = new Map<string, Promise<EvaluationResult>>();

  constructor(private readonly measure: Evaluate) {}

  /** Evaluates `code` (whose sha is `sha`); cached when it is the incumbent (`incumbentSha`). */
  evaluate(
    code: Buffer,
    sha: string,
    incumbentSha: string | undefined,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult> {
    if (sha !== incumbentSha) return this.measure(code, clips, options);
    const key = `${sha}|${clips.map((clip) => clip.name).join(',')}|${options.qualities.join(',')}`;
    for (const old of this.results.keys()) if (!old.startsWith(sha)) this.results.delete(old);
    let result = this.results.get(key);
    if (result === undefined) {
      result = this.measure(code, clips, options);
      this.results.set(key, result);
      // A failed measurement is not remembered: the next candidate measures again.
      void result.then(
        (value) => {
          if (!value.ok) this.results.delete(key);
        },
        () => this.results.delete(key),
      );
    }
    return result;
  }
}
