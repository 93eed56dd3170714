/**
 * A sandbox container made ready for one job: created with the hardened spec, attached
 * (stdin, stdout, stderr), started, its stream demultiplexed with caps, its exit watched.
 */
import type Docker from 'dockerode';
import { CodecLabError } from '../errors.js';
import { DockerStreamDemuxer } from './docker-stream.js';

/** Only the harness writes to the container's stderr (a few lines); more is a flood. */
const STDERR_CAP_BYTES = 64 * 1024;

/** A created, attached and started container whose harness waits for its job on stdin. */
export interface Prepared {
  readonly container: Docker.Container;
  readonly id: string;
  readonly stream: NodeJS.ReadWriteStream;
  readonly demuxer: DockerStreamDemuxer;
  readonly streamEnded: Promise<void>;
  readonly exited: Promise<number | null>;
  hasExited: boolean;
  /** Resolves when the harness has started and waits for its job. */
  readonly ready: Promise<void>;
  isReady: boolean;
  onOverflow: () => void;
  onFramed: () => void;
}

/**
 * Creates and starts a container from `spec`. `created` learns its id as soon as it exists
 * (so a failure later still removes it); `onReady` runs when its harness says it is ready.
 */
export async function prepareContainer(
  docker: Docker,
  spec: Docker.ContainerCreateOptions,
  created: (container: Docker.Container) => void,
  remove: (container: Docker.Container) => void,
  onReady: () => void,
): Promise<Prepared> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(spec);
  } catch (cause) {
    throw new CodecLabError(
      'SANDBOX_FAILED',
      `could not create a sandbox container: ${(cause as Error).message}`,
      { cause },
    );
  }
  created(container);
  try {
    const stream = await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    });
    let markReady = (): void => {};
    const ready = new Promise<void>((resolve) => {
      markReady = () => {
        prepared.isReady = true;
        resolve();
        onReady();
      };
    });
    const prepared: Prepared = {
      container,
      id: container.id,
      stream,
      ready,
      isReady: false,
      demuxer: new DockerStreamDemuxer(
        0,
        STDERR_CAP_BYTES,
        () => prepared.onOverflow(),
        () => prepared.onFramed(),
        () => markReady(),
      ),
      streamEnded: new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      }),
      exited: Promise.resolve(null),
      hasExited: false,
      onOverflow: () => {},
      onFramed: () => {},
    };
    stream.on('data', (chunk: Buffer) => prepared.demuxer.push(chunk));
    await container.start();
    (prepared as { exited: Promise<number | null> }).exited = container.wait().then(
      (result: { StatusCode?: number }) => {
        prepared.hasExited = true;
        return result.StatusCode ?? null;
      },
      () => {
        prepared.hasExited = true;
        return null;
      },
    );
    return prepared;
  } catch (cause) {
    remove(container);
    throw new CodecLabError(
      'SANDBOX_FAILED',
      `could not start a sandbox container: ${(cause as Error).message}`,
      { cause },
    );
  }
}
