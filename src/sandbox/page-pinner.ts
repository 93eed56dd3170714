/**
 * The page pinner (docs/ARCHITECTURE.md §5.2): one container per open sandbox, from the same
 * image, that maps and mlocks every regular file of the image (sandbox-image/harness/pin_pages.py)
 * before any codec container starts and keeps them so until the sandbox closes. The page cache
 * state of the image's files is then constant (all resident, none evictable), so it carries no
 * bit from one codec container to another.
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { CodecLabError } from '../errors.js';
import { sandboxContainerSpec, type ContainerSpecInput } from './hardening.js';

export const PINNER_ROLE_LABEL = 'codec-lab.role';
export const PINNER_ROLE = 'page-pinner';
/** Above the image's 1.65 GB of files: locked pages it loads first are charged to it. */
const PINNER_MEMORY_BYTES = 4 * 1024 ** 3;
/** The report is one line; a longer stdout is not a report. */
const REPORT_CAP_BYTES = 4 * 1024 * 1024;
/** Reading a cold 1.65 GB image from disk; the pinner is started once per sandbox. */
const REPORT_TIMEOUT_MS = 300_000;
const WHAT_TO_DO =
  'the sandbox needs every image file pinned in the page cache (docs/ARCHITECTURE.md §5.2); check the host has a few GB of free memory and that Docker grants the IPC_LOCK capability, then retry';

export interface PinReport {
  readonly pinnedFiles: number;
  readonly pinnedBytes: number;
}

/**
 * The pinner's container: the sandbox's hardened spec (network none, read-only root, seccomp,
 * masked paths, labels for the reaper), but run as root with IPC_LOCK as its only capability
 * (mlock beyond the daemon's memlock limit; Docker gives a non-root user no capability), mlock
 * added to the seccomp allow-list, a memory cap above the image's size, and no stdin: no codec
 * ever reaches it.
 */
export function pinnerContainerSpec(input: ContainerSpecInput): Docker.ContainerCreateOptions {
  const spec = sandboxContainerSpec({
    ...input,
    seccompProfile: withMlock(input.seccompProfile),
  });
  const host = spec.HostConfig ?? {};
  return {
    ...spec,
    Cmd: ['python3', '-s', '-B', '/opt/codec-lab/pin_pages.py'],
    User: '0:0',
    Labels: { ...spec.Labels, [PINNER_ROLE_LABEL]: PINNER_ROLE },
    AttachStdin: false,
    OpenStdin: false,
    StdinOnce: false,
    HostConfig: {
      ...host,
      Memory: PINNER_MEMORY_BYTES,
      MemorySwap: PINNER_MEMORY_BYTES,
      NanoCpus: 1e9,
      PidsLimit: 8,
      CapDrop: ['ALL'],
      CapAdd: ['IPC_LOCK'],
    },
  };
}

/** The sandbox's seccomp allow-list plus mlock, the one call the pinner needs beyond it. */
export function withMlock(profileText: string): string {
  const profile = JSON.parse(profileText) as { syscalls: unknown[] };
  return JSON.stringify({
    ...profile,
    syscalls: [{ names: ['mlock'], action: 'SCMP_ACT_ALLOW' }, ...profile.syscalls],
  });
}

/** Checks the pinner's stdout line; throws naming what is wrong. Pure, unit-tested. */
export function parsePinReport(line: string): PinReport {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw pinError(`its report is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
  }
  const report = value as { pinned_files?: unknown; pinned_bytes?: unknown; failed?: unknown };
  const { pinned_files: files, pinned_bytes: bytes, failed } = report;
  if (!Number.isSafeInteger(files) || !Number.isSafeInteger(bytes) || !Array.isArray(failed)) {
    throw pinError(`its report lacks pinned_files, pinned_bytes or failed: ${line.slice(0, 200)}`);
  }
  if (failed.length > 0) {
    const shown = failed
      .slice(0, 5)
      .map((entry) => (Array.isArray(entry) ? entry.map(String).join(': ') : String(entry)));
    throw pinError(
      `${failed.length} image file(s) could not be pinned (${shown.join('; ')}${failed.length > 5 ? '; …' : ''})`,
    );
  }
  if ((files as number) < 1) throw pinError('it found no image file to pin');
  return { pinnedFiles: files as number, pinnedBytes: bytes as number };
}

function pinError(detail: string, cause?: unknown): CodecLabError {
  return new CodecLabError('SANDBOX_FAILED', `the page pinner failed: ${detail}; ${WHAT_TO_DO}`, {
    cause,
  });
}

export interface PagePinner {
  readonly container: Docker.Container;
  readonly report: PinReport;
  /** True once the pinner's container has stopped: the sandbox must run nothing more. */
  readonly hasExited: () => boolean;
}

/**
 * Creates and starts the pinner and waits for its report. `created` learns the container as
 * soon as it exists, so the caller removes it on any failure, including this one's.
 */
export async function startPagePinner(
  docker: Docker,
  input: ContainerSpecInput,
  created: (container: Docker.Container) => void,
): Promise<PagePinner> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(pinnerContainerSpec(input));
  } catch (cause) {
    throw pinError(`could not create its container: ${(cause as Error).message}`, cause);
  }
  created(container);
  let stream: NodeJS.ReadWriteStream;
  try {
    stream = await container.attach({ stream: true, stdout: true, stderr: true });
  } catch (cause) {
    throw pinError(`could not attach to its container: ${(cause as Error).message}`, cause);
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  docker.modem.demuxStream(stream, stdout, stderr);
  let out = '';
  let err = '';
  stderr.on('data', (chunk: Buffer) => {
    if (err.length < 4096) err += chunk.toString('utf8');
  });
  const line = new Promise<string>((resolve, reject) => {
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
      else if (out.length > REPORT_CAP_BYTES) reject(pinError('its report is too long'));
    });
  });
  void line.catch(() => undefined); // raced below; a late rejection is not unhandled
  let exited = false;
  try {
    await container.start();
  } catch (cause) {
    throw pinError(`could not start its container: ${(cause as Error).message}`, cause);
  }
  const exit = container.wait().then(
    (result: { StatusCode?: number }) => {
      exited = true;
      return result.StatusCode ?? null;
    },
    () => {
      exited = true;
      return null;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    line.then((text) => ({ text })),
    exit.then((code) => ({ code })),
    new Promise<{ timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), REPORT_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  if ('code' in outcome) {
    const oom = outcome.code === 137 ? ' (killed: out of memory?)' : '';
    throw pinError(`it exited with status ${outcome.code}${oom} before reporting; ${err.trim()}`);
  }
  if ('timeout' in outcome) {
    throw pinError(`it did not report within ${REPORT_TIMEOUT_MS / 1000} s`);
  }
  return { container, report: parsePinReport(outcome.text), hasExited: () => exited };
}
