import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ProcessError,
  STDERR_KEEP_CHARS,
  commandLine,
  runProcess,
} from '../../src/process-runner.js';

const dir = mkdtempSync(path.join(tmpdir(), 'codec-lab-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ADVICE = { timeoutAdvice: 'raise the timeout', unavailableAdvice: 'install it' };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function rejection(promise: Promise<unknown>): Promise<ProcessError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ProcessError) return error;
  throw new Error(`expected a ProcessError, got ${String(error)}`);
}

/** A shell that starts a grandchild (recording its pid), says something, and waits. */
async function hangingWithGrandchild(
  options: { timeoutMs: number; signal?: AbortSignal },
  onStart?: () => void,
): Promise<{ error: ProcessError; grandchild: number }> {
  const pidFile = path.join(dir, `pid-${Math.random()}`);
  const run = runProcess('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; echo started >&2; wait`], {
    ...ADVICE,
    ...options,
  });
  onStart?.();
  const error = await rejection(run);
  return { error, grandchild: Number(readFileSync(pidFile, 'utf8')) };
}

async function waitUntilDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

describe('runProcess', () => {
  it('resolves with the exit code, stdout and stderr of a command that ran', async () => {
    const result = await runProcess('sh', ['-c', 'printf out; printf err >&2; exit 3'], {
      ...ADVICE,
      timeoutMs: 10_000,
    });
    expect(result).toEqual({ exitCode: 3, stdout: Buffer.from('out'), stderr: 'err' });
  });

  it('feeds input to stdin', async () => {
    const result = await runProcess('cat', [], {
      ...ADVICE,
      timeoutMs: 10_000,
      input: [Buffer.from('a'), Buffer.from('b')],
    });
    expect(result.stdout.toString()).toBe('ab');
  });

  it('at the deadline kills the whole process group and names the command and the remedy', async () => {
    const { error, grandchild } = await hangingWithGrandchild({ timeoutMs: 500 });
    expect(error.code).toBe('COMMAND_TIMEOUT');
    expect(error.message).toMatch(/^sh took longer than 500 ms and was killed \(`sh -c sleep 30/);
    expect(error.message).toMatch(/raise the timeout$/);
    expect(error.stderr).toContain('started');
    expect(await waitUntilDead(grandchild)).toBe(true);
  });

  it('on abort kills the whole process group', async () => {
    const controller = new AbortController();
    const { error, grandchild } = await hangingWithGrandchild(
      { timeoutMs: 30_000, signal: controller.signal },
      () => setTimeout(() => controller.abort(), 500),
    );
    expect(error.code).toBe('COMMAND_ABORTED');
    expect(await waitUntilDead(grandchild)).toBe(true);
  });

  it('keeps only the tail of a long stderr', async () => {
    const result = await runProcess(
      'sh',
      ['-c', `head -c ${5 * STDERR_KEEP_CHARS} /dev/zero | tr '\\0' x >&2; echo END >&2`],
      { ...ADVICE, timeoutMs: 10_000 },
    );
    expect(result.stderr.length).toBe(STDERR_KEEP_CHARS);
    expect(result.stderr.endsWith('xEND\n')).toBe(true);
  });

  it('stop() from onStdout kills the command early', async () => {
    let seen = 0;
    const result = await runProcess('sh', ['-c', 'yes'], {
      ...ADVICE,
      timeoutMs: 10_000,
      onStdout: (chunk, stop) => {
        seen += chunk.length;
        stop();
      },
    });
    expect(result.exitCode).toBeNull();
    expect(seen).toBeGreaterThan(0);
  });

  it('a command that cannot start is unavailable, with the remedy', async () => {
    const missing = path.join(dir, 'no-such-tool');
    const error = await rejection(runProcess(missing, [], { ...ADVICE, timeoutMs: 1_000 }));
    expect(error.code).toBe('COMMAND_UNAVAILABLE');
    expect(error.message).toBe(`cannot run ${missing} (ENOENT); install it`);
  });

  it('shortens very long command lines in the middle', () => {
    const line = commandLine(
      'ffmpeg',
      Array.from({ length: 200 }, (_, i) => `arg${i}`),
    );
    expect(line.length).toBeLessThan(320);
    expect(line).toMatch(/^ffmpeg arg0 .* … .* arg199$/);
  });
});
