import type Docker from 'dockerode';
import { buildSandboxImage, findSandboxImage, imageRefs } from '../sandbox/image.js';
import { isCodecLabError } from '../errors.js';

export interface ImageBuildOptions {
  readonly force: boolean;
  readonly cacheDir: string;
  readonly mirror?: string | undefined;
}

export async function imageBuildCommand(
  docker: Docker,
  options: ImageBuildOptions,
  progress: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const image = await buildSandboxImage(docker, {
    cacheDir: options.cacheDir,
    progress,
    force: options.force,
    ...(options.mirror ? { mirror: options.mirror } : {}),
  });
  progress(
    `sandbox image ready: ${image.ref} ${image.id} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
}

export async function imageStatusCommand(
  docker: Docker,
  override: string | undefined,
  out: (text: string) => void,
): Promise<boolean> {
  const refs = await imageRefs();
  try {
    const image = await findSandboxImage(docker, override);
    out(`${image.ref} ${image.id}`);
    return true;
  } catch (error) {
    if (!isCodecLabError(error, 'IMAGE_MISSING')) throw error;
    out(`${override ?? refs.image} missing: run 'codec-lab image build'`);
    return false;
  }
}
