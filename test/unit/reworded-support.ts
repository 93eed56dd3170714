/**
 * Shared by the rewording tests: copies of harness.py and validator.py whose every failure
 * message is reworded (test/fixtures/reword.py), and the causes the self-debugger finds in an
 * attempt, in every category it shows.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidationFinding } from '../../src/evaluation/evaluator.js';
import type { FailureCategory } from '../../src/evaluation/failure.js';
import { categoriesOf, causesOf, type CauseSource } from '../../src/governance/causes.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HARNESS_DIR = join(ROOT, 'sandbox-image/harness');
export const REWORDED_PREFIX = 'REWORDED ';

/** Writes reworded harness.py and validator.py, and contract.json and tunables.py, into `dir`. */
export function writeRewordedHarness(dir: string): void {
  for (const file of ['harness.py', 'validator.py']) {
    execFileSync('python3', [
      join(ROOT, 'test/fixtures/reword.py'),
      join(HARNESS_DIR, file),
      join(dir, file),
    ]);
  }
  copyFileSync(join(ROOT, 'sandbox-image/contract.json'), join(dir, 'contract.json'));
  copyFileSync(join(HARNESS_DIR, 'tunables.py'), join(dir, 'tunables.py'));
}

export interface FoundCause {
  readonly category: FailureCategory;
  readonly key: string;
  readonly subject: string | null;
}

/** What the self-debugger finds: every cause in every category the attempt shows. */
export function selfDebuggerCauses(attempt: CauseSource): FoundCause[] {
  return categoriesOf(attempt).flatMap((category) =>
    causesOf(attempt, category).map((cause) => ({
      category,
      key: cause.key,
      subject: cause.subject,
    })),
  );
}

/** An attempt filed as the evaluator files a validation failure: under its first finding. */
export function validationAttempt(findings: readonly ValidationFinding[], code = ''): CauseSource {
  const first = findings[0];
  return {
    category: (first?.category ?? null) as FailureCategory | null,
    stage: 'validate',
    failureMessage: first?.message ?? null,
    failureCause: first?.cause ?? null,
    failureLine: first?.line ?? null,
    findings,
    generationFailure: null,
    code,
  };
}
