import { z } from 'zod';
import { CodecLabError } from './errors.js';

/**
 * Settings, parsed once at start-up from the environment and command-line flags into a
 * frozen object. Only this module reads `process.env`. Every bad setting is reported at once.
 */
const schema = z.object({
  dataDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  sandbox: z.object({
    /** Wall-clock limit for one sandbox run (one clip at one quality, one side). */
    timeoutMs: z.number().int().min(500).max(3_600_000),
    memoryLimitMb: z.number().int().min(64).max(65_536),
    cpus: z.number().min(0.1).max(64),
    pidsLimit: z.number().int().min(8).max(4096),
    tmpfsMb: z.number().int().min(1).max(4096),
    /** Pre-started containers kept ready (each used once, never recycled). 0 disables. */
    poolSize: z.number().int().min(0).max(16),
    /** Sandbox runs in flight at once. */
    concurrency: z.number().int().min(1).max(64),
  }),
  ffmpegPath: z.string().min(1).optional(),
  /** Use this image instead of the one built from sandbox-image/ (e.g. built with its Dockerfile). */
  sandboxImage: z.string().min(1).optional(),
});

export type Config = Readonly<z.infer<typeof schema>>;

export type Env = Readonly<Record<string, string | undefined>>;

/** Flags given on the command line win over the environment, which wins over defaults. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  timeoutS?: number | undefined;
  memoryMb?: number | undefined;
}

function numberFrom(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : Number.NaN;
}

export function loadConfig(env: Env, overrides: ConfigOverrides = {}): Config {
  const timeoutS = overrides.timeoutS ?? numberFrom(env, 'CODEC_LAB_TIMEOUT_S') ?? 60;
  const candidate = {
    dataDir: overrides.dataDir ?? env.CODEC_LAB_DATA_DIR ?? '.data',
    logLevel: env.CODEC_LAB_LOG_LEVEL ?? 'info',
    sandbox: {
      timeoutMs: Math.round(timeoutS * 1000),
      memoryLimitMb: overrides.memoryMb ?? numberFrom(env, 'CODEC_LAB_MEMORY_MB') ?? 1024,
      cpus: numberFrom(env, 'CODEC_LAB_CPUS') ?? 1,
      pidsLimit: numberFrom(env, 'CODEC_LAB_PIDS_LIMIT') ?? 64,
      tmpfsMb: numberFrom(env, 'CODEC_LAB_TMPFS_MB') ?? 64,
      poolSize: numberFrom(env, 'CODEC_LAB_POOL_SIZE') ?? 5,
      concurrency: numberFrom(env, 'CODEC_LAB_CONCURRENCY') ?? 2,
    },
    ffmpegPath: env.CODEC_LAB_FFMPEG,
    sandboxImage: env.CODEC_LAB_SANDBOX_IMAGE,
  };
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  - ${issue.path.join('.')}: ${issue.message}`,
    );
    throw new CodecLabError(
      'CONFIG_INVALID',
      `invalid settings (fix the flag or CODEC_LAB_* variable named):\n${problems.join('\n')}`,
    );
  }
  return Object.freeze(parsed.data);
}
