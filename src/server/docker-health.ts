/** Liveness checks against the Docker engine: it answers, and the sandbox image is present. */
import type Docker from 'dockerode';
import { checkDocker, findSandboxImage } from '../sandbox/image.js';
import type { HealthCheck } from './services.js';

const CACHE_MS = 5_000;

/** Remembers a check's outcome for a few seconds, so a busy /healthz does not hammer Docker. */
export function cached(check: HealthCheck, now: () => number, ttlMs = CACHE_MS): HealthCheck {
  let last: { at: number; outcome: Promise<string> } | null = null;
  return {
    name: check.name,
    run: () => {
      if (last === null || now() - last.at >= ttlMs) last = { at: now(), outcome: check.run() };
      return last.outcome;
    },
  };
}

export function dockerHealthChecks(
  docker: Docker,
  imageOverride: string | undefined,
  now: () => number,
): HealthCheck[] {
  return [
    cached(
      {
        name: 'docker',
        run: async () => {
          await checkDocker(docker);
          return 'engine answers';
        },
      },
      now,
    ),
    cached(
      {
        name: 'image',
        run: async () => {
          const image = await findSandboxImage(docker, imageOverride);
          return `${image.ref} (${image.id.slice(0, 19)})`;
        },
      },
      now,
    ),
  ];
}
