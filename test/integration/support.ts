import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { pino } from 'pino';
import type { Clip } from '../../src/evaluation/clip.js';
import { readClips } from '../../src/evaluation/clip-folder.js';
import { FfmpegClipReader } from '../../src/evaluation/ffmpeg-clip-reader.js';
import { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { OWNER_LABEL, SANDBOX_LABEL } from '../../src/sandbox/hardening.js';
import { findSandboxImage } from '../../src/sandbox/image.js';
import { currentOwner, formatOwner } from '../../src/sandbox/owner.js';
import type { SandboxLimits } from '../../src/sandbox/sandbox.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUILTIN_CLIP = `${ROOT}assets/builtin-vtest-128x96.mkv`;
/** The per-frame JPEG codec: the JPEG anchor itself, and the tests' known-good codec. */
export const JPEG_CODEC = `${ROOT}assets/anchors/jpeg_opencv.py`;

export const TEST_LIMITS: SandboxLimits = {
  timeoutMs: 5_000,
  memoryLimitMb: 256,
  cpus: 1,
  pidsLimit: 64,
  tmpfsMb: 64,
};

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const docker = new Docker();

export async function openTestSandbox(
  limits: SandboxLimits = TEST_LIMITS,
  poolSize = 2,
  options: { readonly withoutPagePinner?: boolean } = {},
): Promise<DockerSandbox> {
  const image = await findSandboxImage(docker);
  return DockerSandbox.open({
    docker,
    image,
    limits,
    poolSize,
    owner: currentOwner(),
    log: silentLog,
    ...(options.withoutPagePinner === true ? { withoutPagePinnerForTests: true as const } : {}),
  });
}

export async function builtinClip(frames: number): Promise<Clip> {
  const [clip] = await readClips(new FfmpegClipReader(), BUILTIN_CLIP, { maxFrames: frames });
  if (!clip) throw new Error('the built-in clip is missing');
  return clip;
}

/** Sandbox containers of any owner, or of this process only. */
export async function sandboxContainers(ownedBy?: string): Promise<Docker.ContainerInfo[]> {
  const all = await docker.listContainers({
    all: true,
    filters: { label: [`${SANDBOX_LABEL}=1`] },
  });
  return ownedBy === undefined ? all : all.filter((info) => info.Labels[OWNER_LABEL] === ownedBy);
}

export const ownLabel = (): string => formatOwner(currentOwner());

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (dist/) as a user would: from `cwd` (default the repository), with the
 * test's environment plus `env`, less the variables named in `unset`.
 */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { readonly cwd?: string; readonly unset?: readonly string[] } = {},
): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CODEC_LAB_LOG_LEVEL: 'warn', ...env };
  for (const name of options.unset ?? []) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/codec-lab.js`, ...args], {
      cwd: options.cwd ?? ROOT,
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
