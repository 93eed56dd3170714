/**
 * The validate stage: the static validator (sandbox-image/harness/validator.py) runs in a
 * sandbox like any other job; its report is parsed here with caps, whatever it claims.
 */
import type { SandboxLimits } from '../sandbox/sandbox.js';
import { acceptCause, cause } from './cause.js';
import { isFailureCategory, type Failure } from './failure.js';
import { MAX_MESSAGE_CHARS, capText, validateRequest } from './protocol.js';
import type { ValidationFinding } from './results.js';
import type { SandboxCalls, StageOutcome } from './sandbox-calls.js';
import { parseSpec, type TunableSpec } from './tunables.js';

export async function validateStage(
  calls: SandboxCalls,
  codec: Buffer,
  limits: SandboxLimits,
): Promise<StageOutcome<TunableSpec | null>> {
  const run = await calls.run(validateRequest(codec, limits));
  if (!run.ok) {
    // The validator itself died (e.g. the parser blew up on hostile input): the source is
    // unusable. Limits keep their category. (A container cannot report sandbox_error:
    // interpretRun decides infrastructure failures from what the orchestrator saw.)
    const kept = ['timeouts', 'memory_exceeded'];
    const limit = kept.includes(run.failure.category);
    const category = limit ? run.failure.category : 'syntax_errors';
    return {
      ok: false,
      failure: {
        ...run.failure,
        category,
        message: `validation failed: ${run.failure.message}`,
        cause: limit
          ? run.failure.cause
          : cause('validator_failed', { observed: run.failure.category }),
      },
      log: '',
    };
  }
  const report = parseReport(run.files.get('run0/report.json'));
  if (report === null) {
    return {
      ok: false,
      failure: {
        category: 'sandbox_error',
        message: 'the validator returned no readable report',
        cause: cause('no_report'),
      },
      log: '',
    };
  }
  const first = report.findings[0];
  // The spec is checked again here (tunables.ts): a report claiming a bad one is a sandbox_error.
  if (report.ok && report.tunables !== null && parseSpec(report.tunables) === null) {
    return {
      ok: false,
      failure: {
        category: 'sandbox_error',
        message: 'the validator passed a TUNABLES spec that the orchestrator refuses',
        cause: cause('no_report'),
      },
      log: '',
    };
  }
  if (report.ok) return { ok: true, value: parseSpec(report.tunables) };
  if (first === undefined) {
    return {
      ok: false,
      failure: {
        category: 'sandbox_error',
        message: 'the validator refused the code without saying why',
        cause: cause('empty_report'),
      },
      log: '',
    };
  }
  const known = isValidationCategory(first.category);
  const failure: Failure = {
    category: known ? first.category : 'other',
    message: first.message,
    cause: known
      ? first.cause
      : cause('unknown_category', { claimed: first.category.slice(0, 64) }),
    ...(first.line === null ? {} : { line: first.line }),
    ...(first.excerpt ? { excerpt: first.excerpt } : {}),
  };
  return { ok: false, failure, log: '', findings: report.findings };
}

function isValidationCategory(
  value: string,
): value is 'syntax_errors' | 'forbidden_imports' | 'forbidden_calls' | 'missing_function' {
  return ['syntax_errors', 'forbidden_imports', 'forbidden_calls', 'missing_function'].includes(
    value,
  );
}

const MAX_FINDINGS = 200;
const MAX_EXCERPT_CHARS = 400;

export function parseReport(
  data: Buffer | undefined,
): { ok: boolean; findings: ValidationFinding[]; tunables: unknown } | null {
  if (data === undefined) return null;
  try {
    const value = JSON.parse(data.toString('utf8')) as {
      ok?: unknown;
      findings?: unknown;
      tunables?: unknown;
    };
    if (typeof value.ok !== 'boolean' || !Array.isArray(value.findings)) return null;
    // The report comes out of a container: capped here whatever the validator did.
    const findings = (value.findings as Array<Record<string, unknown>>)
      .slice(0, MAX_FINDINGS)
      .map((item) => ({
        category: String(item.category),
        message: capText(String(item.message), MAX_MESSAGE_CHARS),
        cause: isFailureCategory(item.category) ? acceptCause(item.cause, item.category) : null,
        line: typeof item.line === 'number' ? item.line : null,
        excerpt: typeof item.excerpt === 'string' ? capText(item.excerpt, MAX_EXCERPT_CHARS) : '',
      }));
    return { ok: value.ok, findings, tunables: value.tunables ?? null };
  } catch {
    return null;
  }
}
