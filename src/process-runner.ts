/**
 * The one way codec-lab runs a child process (ffmpeg, apt-get, dpkg), with one rule:
 *
 * - every run has a deadline (`timeoutMs`) and may be cancelled (`signal`);
 * - the child leads its own process group, and at the deadline or on abort the whole group is
 *   killed with SIGKILL (a helper ffmpeg or apt starts dies with it), its pipes are closed, and
 *   the run rejects at once rather than waiting for a pipe some grandchild may hold open;
 * - stderr is kept as text, its last STDERR_KEEP_CHARS characters only;
 * - a run that cannot start, times out or is aborted rejects with a ProcessError whose message
 *   names the command and says what to do; one that ran resolves with its exit code, whatever
 *   it is (the caller knows what a failure of its command means).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { CodecLabError, type ErrorCode } from './errors.js';

export const STDERR_KEEP_CHARS = 16 * 1024;
const COMMAND_LINE_CHARS = 300;

export interface ProcessOptions {
  /** Kill the process group after this long. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  readonly input?: readonly Buffer[];
  /** Kills the process group when aborted. */
  readonly signal?: AbortSignal;
  /**
   * Receives stdout as it comes instead of it being collected; `stop()` kills the process group
   * (the run then resolves, with a null exit code, once the process is gone).
   */
  readonly onStdout?: (chunk: Buffer, stop: () => void) => void;
  /** What the run is doing, for messages, e.g. "decoding clip.mkv". */
  readonly purpose?: string;
  /** What to do when the deadline passes, e.g. "raise the reader's timeoutMs". */
  readonly timeoutAdvice: string;
  /** What to do when the command cannot be started, e.g. "run `npm install`". */
  readonly unavailableAdvice: string;
}

export interface ProcessResult {
  /** null when the process was killed by a signal (including `stop()`). */
  readonly exitCode: number | null;
  /** Everything written to stdout (empty with `onStdout`). */
  readonly stdout: Buffer;
  /** The last STDERR_KEEP_CHARS characters of stderr. */
  readonly stderr: string;
}

export type ProcessErrorCode = Extract<
  ErrorCode,
  'COMMAND_UNAVAILABLE' | 'COMMAND_FAILED' | 'COMMAND_TIMEOUT' | 'COMMAND_ABORTED'
>;

/** A child process that could not run to completion; `stderr` is what it said before. */
export class ProcessError extends CodecLabError {
  override readonly name = 'ProcessError';
  declare readonly code: ProcessErrorCode;

  constructor(
    code: ProcessErrorCode,
    message: string,
    readonly commandLine: string,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** `command args…` for messages, shortened in the middle past a few hundred characters. */
export function commandLine(command: string, args: readonly string[]): string {
  const line = [command, ...args].join(' ');
  if (line.length <= COMMAND_LINE_CHARS) return line;
  const half = COMMAND_LINE_CHARS / 2;
  return `${line.slice(0, half)} … ${line.slice(-half)}`;
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const line = commandLine(command, args);
  const name =
    options.purpose === undefined
      ? path.basename(command)
      : `${path.basename(command)} ${options.purpose}`;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(
        new ProcessError(
          'COMMAND_ABORTED',
          `\`${line}\` was cancelled before it started`,
          line,
          '',
        ),
      );
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const stop = (): void => killGroup(child);
    const giveUp = (code: 'COMMAND_TIMEOUT' | 'COMMAND_ABORTED', message: string): void => {
      killGroup(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      settle(() => reject(new ProcessError(code, message, line, stderr)));
    };
    const timer = setTimeout(
      () =>
        giveUp(
          'COMMAND_TIMEOUT',
          `${name} took longer than ${options.timeoutMs} ms and was killed (\`${line}\`); ${options.timeoutAdvice}`,
        ),
      options.timeoutMs,
    );
    const onAbort = (): void =>
      giveUp('COMMAND_ABORTED', `${name} was cancelled and killed (\`${line}\`)`);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      if (options.onStdout) options.onStdout(chunk, stop);
      else chunks.push(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
      if (stderr.length > 2 * STDERR_KEEP_CHARS) stderr = stderr.slice(-STDERR_KEEP_CHARS);
    });
    if (options.input !== undefined && child.stdin) {
      // A child that exits early (bad arguments) breaks the pipe: its exit code and stderr,
      // reported on close, say why, so the write error itself is dropped.
      pipeline(Readable.from(options.input), child.stdin).catch(() => undefined);
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      const missing = err.code === 'ENOENT' || err.code === 'EACCES';
      settle(() =>
        reject(
          new ProcessError(
            missing ? 'COMMAND_UNAVAILABLE' : 'COMMAND_FAILED',
            `cannot run ${command} (${err.code ?? err.message}); ${options.unavailableAdvice}`,
            line,
            stderr,
            { cause: err },
          ),
        ),
      );
    });
    child.on('close', (code) => {
      settle(() =>
        resolve({
          exitCode: code,
          stdout: Buffer.concat(chunks),
          stderr: stderr.slice(-STDERR_KEEP_CHARS),
        }),
      );
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    // The negative pid names the group the detached child leads.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone; kill the child itself in case it left its group.
    child.kill('SIGKILL');
  }
}
