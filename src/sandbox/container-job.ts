/**
 * One job in a prepared container: the input tar on stdin, the length-framed result tar read
 * back with caps, the orchestrator's deadline (from the harness's ready line) and its own
 * observations (timeout, overflow, OOM, exit code). The container is never reused.
 */
import { CodecLabError } from '../errors.js';
import type { Logger } from '../logger.js';
import { FRAME_PREFIX_BYTES } from './docker-stream.js';
import { delay } from './host-claim.js';
import type { Prepared } from './prepared-container.js';
import type { SandboxLimits, SandboxRequest, SandboxRun } from './sandbox.js';
import { parseResultTar, packTar } from './tar-io.js';

/** How long a container may take to start its harness before the run is a sandbox error. */
const STARTUP_TIMEOUT_MS = 120_000;
const STREAM_DRAIN_MS = 2_000;

export interface JobContext {
  readonly limits: SandboxLimits;
  /** Added to the request's deadline before the orchestrator kills a container itself. */
  readonly graceMs: number;
  readonly imageId: string;
  readonly now: () => number;
  readonly log: Logger;
}

export async function executeJob(
  prepared: Prepared,
  request: SandboxRequest,
  acquireMs: number,
  context: JobContext,
): Promise<SandboxRun> {
  const packStarted = context.now();
  const input = await packTar(request.files);
  const started = context.now();
  const packMs = started - packStarted;
  let timedOut = false;
  let outputOverflow = false;
  const kill = (): void => {
    prepared.container.kill({ signal: 'SIGKILL' }).catch(() => {
      /* already stopped */
    });
  };
  prepared.demuxer.stdoutCap = request.maxOutputBytes + FRAME_PREFIX_BYTES;
  prepared.onOverflow = () => {
    outputOverflow = true;
    kill();
  };
  const framed = new Promise<'framed'>((resolve) => {
    prepared.onFramed = () => resolve('framed');
  });
  // The deadline runs from the moment the harness is ready for its job; a container that
  // never gets there is the sandbox's failure, not the codec's.
  let timer: NodeJS.Timeout | undefined;
  let startupFailed = false;
  let readyWaitMs = 0;
  const startup = setTimeout(() => {
    startupFailed = true;
    kill();
  }, STARTUP_TIMEOUT_MS);
  void prepared.ready.then(() => {
    readyWaitMs = context.now() - started;
    clearTimeout(startup);
    timer = setTimeout(
      () => {
        timedOut = true;
        kill();
      },
      (request.timeoutMs ?? context.limits.timeoutMs) + context.graceMs,
    );
  });
  let exitCode: number | null = null;
  let oomKilled = false;
  let ending: 'framed' | 'exited';
  try {
    prepared.stream.write(input);
    prepared.stream.end();
    // A complete result frame ends the run: the harness has reported everything, and the
    // container's teardown (about 80 ms) happens in the background during removal.
    ending = await Promise.race([framed, prepared.exited.then(() => 'exited' as const)]);
    if (ending === 'exited')
      await Promise.race([prepared.streamEnded, framed, delay(STREAM_DRAIN_MS)]);
  } finally {
    clearTimeout(startup);
    clearTimeout(timer);
  }
  if (startupFailed) {
    throw new CodecLabError(
      'SANDBOX_FAILED',
      `sandbox container ${prepared.id.slice(0, 12)} did not start its harness within ${STARTUP_TIMEOUT_MS / 1000} s; is the host overloaded, or the image broken ('codec-lab image status')?`,
    );
  }
  if (ending === 'exited' && !prepared.isReady) {
    // No codec code runs before the harness is ready (it reads its job only then), so a
    // container that never got there failed on its own: the sandbox's fault.
    throw new CodecLabError(
      'SANDBOX_FAILED',
      `sandbox container ${prepared.id.slice(0, 12)} exited before its harness was ready (${prepared.demuxer.stderrText().trim().slice(-500) || 'no output'}); check the image ('codec-lab image status')`,
    );
  }
  const wallMs = context.now() - started;
  const payload = prepared.demuxer.framedPayload();
  if (payload === null) {
    try {
      const info = await prepared.container.inspect();
      oomKilled = info.State.OOMKilled;
      exitCode = info.State.ExitCode;
    } catch (cause) {
      throw new CodecLabError(
        'SANDBOX_FAILED',
        `could not inspect sandbox container ${prepared.id.slice(0, 12)}`,
        { cause },
      );
    }
  }
  const parseStarted = context.now();
  const output = outputOverflow
    ? ({ ok: false, reason: `result stream passed ${request.maxOutputBytes} bytes` } as const)
    : payload === null
      ? ({ ok: false, reason: 'the result stream ended before the result was complete' } as const)
      : await parseResultTar(payload, {
          maxEntries: 100_000,
          maxTotalBytes: request.maxOutputBytes,
        });
  const parseMs = context.now() - parseStarted;
  context.log.debug(
    { containerId: prepared.id.slice(0, 12), ending, exitCode, oomKilled, timedOut, wallMs },
    'sandbox run finished',
  );
  return {
    exitCode,
    oomKilled,
    timedOut,
    outputOverflow,
    output,
    stderr: prepared.demuxer.stderrText(),
    wallMs,
    acquireMs,
    readyWaitMs: Math.min(readyWaitMs, wallMs),
    packMs,
    parseMs,
    imageId: context.imageId,
  };
}
