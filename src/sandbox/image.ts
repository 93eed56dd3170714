import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { SANDBOX_IMAGE_DIR } from '../contract.js';
import { CodecLabError } from '../errors.js';
import type { SandboxImage } from './docker-sandbox.js';
import { packTar } from './tar-io.js';

export const IMAGE_REPO = 'codec-lab-sandbox';
export const BASE_REPO = 'codec-lab-sandbox-base';

/** The files of the root filesystem recipe, and of the layer with the harness on top. */
const BASE_FILES = ['packages.txt', 'build-rootfs.sh'];
const LAYER_FILES = [
  'Dockerfile',
  'packages.txt',
  'contract.json',
  'harness/harness.py',
  'harness/validator.py',
  'harness/tunables.py',
  'harness/pin_pages.py',
];

export interface ImageRefs {
  readonly base: string;
  readonly image: string;
}

/**
 * The recipe's files, read once: the tags are hashed from these bytes and the image is built
 * from the same bytes, so a file edited during a build cannot end up under the wrong tag.
 */
type Recipe = ReadonlyMap<string, Buffer>;

async function readRecipe(): Promise<Recipe> {
  const names = [...new Set([...BASE_FILES, ...LAYER_FILES])];
  const files = await Promise.all(
    names.map(async (name) => [name, await readFile(new URL(name, SANDBOX_IMAGE_DIR))] as const),
  );
  return new Map(files);
}

function recipeFile(recipe: Recipe, name: string): Buffer {
  const data = recipe.get(name);
  if (data === undefined) throw new Error(`${name} is not a recipe file`);
  return data;
}

function hashFiles(recipe: Recipe, names: readonly string[], seed = ''): string {
  const hash = createHash('sha256').update(seed);
  for (const name of names) {
    hash.update(`\0${name}\0`);
    hash.update(recipeFile(recipe, name));
  }
  return hash.digest('hex').slice(0, 16);
}

function refsOf(recipe: Recipe): ImageRefs {
  const base = hashFiles(recipe, BASE_FILES);
  const image = hashFiles(recipe, [...new Set([...BASE_FILES, ...LAYER_FILES])], base);
  return { base: `${BASE_REPO}:${base}`, image: `${IMAGE_REPO}:${image}` };
}

/** Image tags derived from a hash of the recipe: changing any recipe file means a new image. */
export async function imageRefs(): Promise<ImageRefs> {
  return refsOf(await readRecipe());
}

async function imageId(docker: Docker, ref: string): Promise<string | null> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw new CodecLabError(
      'DOCKER_UNREACHABLE',
      `could not inspect image ${ref}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Confirms the Docker engine answers; the message says how to start one. */
export async function checkDocker(docker: Docker): Promise<void> {
  try {
    await docker.ping();
  } catch (cause) {
    throw new CodecLabError(
      'DOCKER_UNREACHABLE',
      `the Docker engine does not answer (${(cause as Error).message}): start it (e.g. 'dockerd &', or 'scripts/setup.sh' which installs and starts it) or set DOCKER_HOST`,
      { cause },
    );
  }
}

/**
 * The sandbox image for this recipe (or `override`, an image built elsewhere from the same
 * Dockerfile), or IMAGE_MISSING naming the command that builds it.
 */
export async function findSandboxImage(docker: Docker, override?: string): Promise<SandboxImage> {
  const ref = override ?? (await imageRefs()).image;
  const id = await imageId(docker, ref);
  if (id === null) {
    throw new CodecLabError(
      'IMAGE_MISSING',
      override
        ? `the sandbox image ${ref} (CODEC_LAB_SANDBOX_IMAGE) is not present: build it, or unset CODEC_LAB_SANDBOX_IMAGE and run 'codec-lab image build'`
        : `the sandbox image ${ref} is not built for this version of the recipe: run 'codec-lab image build' (2-4 minutes, needs root and debootstrap)`,
    );
  }
  return { ref, id };
}

export interface BuildOptions {
  readonly cacheDir: string;
  /** Progress lines for a person watching (the build takes minutes). */
  readonly progress: (line: string) => void;
  readonly force?: boolean;
  readonly mirror?: string;
}

/**
 * Builds the sandbox image without any registry: debootstrap a bookworm root filesystem,
 * `docker import` it as the base, then build the harness layer from sandbox-image/Dockerfile
 * on top. Both steps are skipped when an image for the same recipe hash exists.
 */
export async function buildSandboxImage(
  docker: Docker,
  options: BuildOptions,
): Promise<SandboxImage> {
  const recipe = await readRecipe();
  const refs = refsOf(recipe);
  const existing = options.force ? null : await imageId(docker, refs.image);
  if (existing !== null) {
    options.progress(`${refs.image} is already built (${existing.slice(0, 19)})`);
    return { ref: refs.image, id: existing };
  }
  if (options.force || (await imageId(docker, refs.base)) === null) {
    await buildBase(docker, refs.base, recipe, options);
  } else {
    options.progress(`base ${refs.base} is already built`);
  }
  options.progress(`building ${refs.image} (harness layer on ${refs.base})`);
  const context = await packTar(
    LAYER_FILES.map((name) => ({ name, data: recipeFile(recipe, name) })),
  );
  const stream = await docker.buildImage(Readable.from([context]), {
    t: refs.image,
    buildargs: { BASE: refs.base },
    rm: true,
    forcerm: true,
    networkmode: 'none',
  });
  await followProgress(docker, stream, options.progress);
  const id = await imageId(docker, refs.image);
  if (id === null)
    throw new CodecLabError(
      'IMAGE_BUILD_FAILED',
      `docker build finished but ${refs.image} is missing`,
    );
  options.progress(`built ${refs.image} (${id.slice(0, 19)})`);
  return { ref: refs.image, id };
}

async function buildBase(
  docker: Docker,
  ref: string,
  recipe: Recipe,
  options: BuildOptions,
): Promise<void> {
  await mkdir(options.cacheDir, { recursive: true });
  const tag = ref.split(':')[1] ?? 'latest';
  const tarPath = `${options.cacheDir}/rootfs-${tag}.tar`;
  const cached = await stat(tarPath).then(
    (info) => info.size > 0,
    () => false,
  );
  if (!cached) {
    options.progress(`building the root filesystem with debootstrap into ${tarPath} (2-4 minutes)`);
    // The script and its package list run from a copy of the bytes the tag was hashed from.
    const recipeDir = await mkdtemp(join(tmpdir(), 'codec-lab-rootfs-recipe-'));
    try {
      for (const name of BASE_FILES)
        await writeFile(join(recipeDir, name), recipeFile(recipe, name));
      await runScript(
        join(recipeDir, 'build-rootfs.sh'),
        [tarPath, ...(options.mirror ? [options.mirror] : [])],
        options.progress,
      );
    } finally {
      await rm(recipeDir, { recursive: true, force: true });
    }
  }
  options.progress(`importing ${tarPath} as ${ref}`);
  const [repo] = ref.split(':');
  const stream = await docker.importImage(createReadStream(tarPath), { repo, tag });
  await followProgress(docker, stream, options.progress);
  if ((await imageId(docker, ref)) === null) {
    throw new CodecLabError('IMAGE_BUILD_FAILED', `docker import finished but ${ref} is missing`);
  }
  await rm(tarPath, { force: true });
}

function runScript(
  script: string,
  args: readonly string[],
  progress: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        tail = (tail + line + '\n').slice(-4000);
        progress(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (cause) =>
      reject(
        new CodecLabError('IMAGE_BUILD_FAILED', `could not run ${script}: ${cause.message}`, {
          cause,
        }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new CodecLabError(
            'IMAGE_BUILD_FAILED',
            `${script} failed with exit code ${code}; it needs root, debootstrap ('apt-get install -y debootstrap') and Debian's archive. Last output:\n${tail}`,
          ),
        );
    });
  });
}

function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  progress: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: Array<{ error?: string }>) => {
        const failure = error?.message ?? events.find((event) => event.error)?.error;
        if (failure)
          reject(new CodecLabError('IMAGE_BUILD_FAILED', `image build failed: ${failure}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const line = (event.stream ?? event.status ?? '').trim();
        if (line) progress(line);
      },
    );
  });
}
