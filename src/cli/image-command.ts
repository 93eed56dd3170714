import Docker from 'dockerode';
import { buildSandboxImage, checkDocker, findSandboxImage, imageRefs } from '../sandbox/image.js';
import { isCodecLabError } from '../errors.js';

export interface ImageBuildOptions {
  readonly force: boolean;
  readonly cacheDir: string;
  readonly mirror?: string | undefined;
}

export async function imageBuildCommand(
  options: ImageBuildOptions,
  progress: (line: string) => void,
): Promise<void> {
  const docker = new Docker();
  await checkDocker(docker);
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

export async function imageStatusCommand(out: (text: string) => void): Promise<boolean> {
  const docker = new Docker();
  await checkDocker(docker);
  const refs = await imageRefs();
  try {
    const image = await findSandboxImage(docker);
    out(`${image.ref} ${image.id}`);
    return true;
  } catch (error) {
    if (!isCodecLabError(error, 'IMAGE_MISSING')) throw error;
    out(`${refs.image} missing: run 'codec-lab image build'`);
    return false;
  }
}
