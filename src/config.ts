import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { CodecLabError } from './errors.js';

/**
 * Settings, parsed once at start-up from the environment and command-line flags into a
 * frozen object. Only this module reads `process.env`. Every bad setting is reported at once.
 * Every path in it is absolute, resolved against the directory the user ran the command from,
 * so nothing downstream depends on the process's (or a child process's) working directory.
 */
const schema = z.object({
  dataDir: z.string().min(1),
  /** Downloads and build scratch (Debian packages for the clip sets, the root filesystem). */
  cacheDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  sandbox: z.object({
    /** Wall-clock limit for one sandbox run (one clip at one quality, one side). */
    timeoutMs: z
      .number()
      .int()
      .min(500, 'must be at least 0.5 s')
      .max(3_600_000, 'must be at most 3600 s'),
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
  llm: z.object({
    /** From ANTHROPIC_API_KEY; otherwise fetched from Secrets Manager (secretId) at start-up. */
    apiKey: z.string().min(1).optional(),
    baseUrl: z.string().url().optional(),
    model: z.string().min(1),
    maxTokens: z.number().int().min(256).max(64_000),
    secretId: z.string().min(1),
    awsRegion: z.string().min(1).optional(),
    /** Dollars per million tokens: input, output, cache write, cache read. */
    pricing: z.object({
      inputPerMTok: z.number().nonnegative(),
      outputPerMTok: z.number().nonnegative(),
      cacheWritePerMTok: z.number().nonnegative(),
      cacheReadPerMTok: z.number().nonnegative(),
    }),
  }),
  /** An OpenAI-compatible Chat Completions server (`--generator openai`, `--provider openai`). */
  openai: z.object({
    /** From OPENAI_API_KEY; else fetched from the secret named by secretId; else none (local). */
    apiKey: z.string().min(1).optional(),
    baseUrl: z.string().url(),
    /** Required when the provider is used (there is no sensible default across servers). */
    model: z.string().min(1).optional(),
    secretId: z.string().min(1).optional(),
    /** Dollars per million input, output and cached input tokens, overriding the price table. */
    pricing: z
      .object({
        inputPerMTok: z.number().nonnegative(),
        outputPerMTok: z.number().nonnegative(),
        cachedInputPerMTok: z.number().nonnegative(),
      })
      .optional(),
  }),
});

export type Config = Readonly<z.infer<typeof schema>>;

export type Env = Readonly<Record<string, string | undefined>>;

/** The model providers a command can be pointed at (`--generator`, `--provider`). */
export const MODEL_PROVIDERS = ['anthropic', 'openai'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Flags given on the command line win over the environment, which wins over defaults. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  timeoutS?: number | undefined;
  memoryMb?: number | undefined;
  /** `--model` and `--base-url`, for the provider named here (Anthropic when absent). */
  provider?: ModelProvider | undefined;
  model?: string | undefined;
  baseUrl?: string | undefined;
}

const OPENAI_PRICING_NAME = 'CODEC_LAB_OPENAI_PRICING (input,output,cached-input $/MTok)';

/** What a user types to change each setting, for error messages. */
const SETTING_NAMES: Readonly<Record<string, string>> = {
  dataDir: '--data-dir / CODEC_LAB_DATA_DIR',
  cacheDir: 'CODEC_LAB_CACHE_DIR',
  logLevel: 'CODEC_LAB_LOG_LEVEL',
  'sandbox.timeoutMs': '--timeout-s / CODEC_LAB_TIMEOUT_S',
  'sandbox.memoryLimitMb': '--memory-mb / CODEC_LAB_MEMORY_MB',
  'sandbox.cpus': 'CODEC_LAB_CPUS',
  'sandbox.pidsLimit': 'CODEC_LAB_PIDS_LIMIT',
  'sandbox.tmpfsMb': 'CODEC_LAB_TMPFS_MB',
  'sandbox.poolSize': 'CODEC_LAB_POOL_SIZE',
  'sandbox.concurrency': 'CODEC_LAB_CONCURRENCY',
  ffmpegPath: 'CODEC_LAB_FFMPEG',
  sandboxImage: 'CODEC_LAB_SANDBOX_IMAGE',
  'llm.baseUrl': '--base-url / ANTHROPIC_BASE_URL',
  'llm.model': '--model / CODEC_LAB_MODEL',
  'llm.maxTokens': 'CODEC_LAB_MAX_TOKENS',
  'llm.secretId': 'CODEC_LAB_SECRET_ID',
  'llm.awsRegion': 'AWS_REGION',
  'llm.pricing.inputPerMTok': 'CODEC_LAB_PRICING (input,output,cache-write,cache-read $/MTok)',
  'llm.pricing.outputPerMTok': 'CODEC_LAB_PRICING (input,output,cache-write,cache-read $/MTok)',
  'llm.pricing.cacheWritePerMTok': 'CODEC_LAB_PRICING (input,output,cache-write,cache-read $/MTok)',
  'llm.pricing.cacheReadPerMTok': 'CODEC_LAB_PRICING (input,output,cache-write,cache-read $/MTok)',
  'openai.baseUrl': '--base-url / OPENAI_BASE_URL',
  'openai.model': '--model / CODEC_LAB_OPENAI_MODEL',
  'openai.secretId': 'CODEC_LAB_OPENAI_SECRET_ID',
  'openai.pricing.inputPerMTok': OPENAI_PRICING_NAME,
  'openai.pricing.outputPerMTok': OPENAI_PRICING_NAME,
  'openai.pricing.cachedInputPerMTok': OPENAI_PRICING_NAME,
};

/** "3,15,3.75,0.3": dollars per million input, output, cache-write and cache-read tokens. */
function pricingFrom(text: string | undefined): Record<string, number> {
  const [inputPerMTok, outputPerMTok, cacheWritePerMTok, cacheReadPerMTok] = (
    text ?? '3,15,3.75,0.3'
  )
    .split(',')
    .map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  return {
    inputPerMTok: inputPerMTok ?? Number.NaN,
    outputPerMTok: outputPerMTok ?? Number.NaN,
    cacheWritePerMTok: cacheWritePerMTok ?? Number.NaN,
    cacheReadPerMTok: cacheReadPerMTok ?? Number.NaN,
  };
}

/** "0.15,0.6,0.075": an OpenAI-compatible model's price override; absent when unset. */
function openAiPricingFrom(text: string | undefined): Record<string, number> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parts = text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  return {
    inputPerMTok: parts[0] ?? Number.NaN,
    outputPerMTok: parts[1] ?? Number.NaN,
    cachedInputPerMTok: parts.length === 3 ? (parts[2] ?? Number.NaN) : Number.NaN,
  };
}

/** Parses with `schema`, or throws CONFIG_INVALID listing every bad setting by the name users type. */
function parseSettings<T extends z.ZodType>(
  settings: T,
  candidate: unknown,
  names: Readonly<Record<string, string>>,
  heading: string,
): z.infer<T> {
  const parsed = settings.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.join('.');
    return `  - ${names[path] ?? path}: ${issue.message}`;
  });
  throw new CodecLabError('CONFIG_INVALID', `${heading}:\n${problems.join('\n')}`);
}

function numberFrom(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : Number.NaN;
}

/**
 * A path the user typed (a flag, a variable), made absolute against `cwd`, the directory they
 * ran the command from: `--data-dir .data` means `<cwd>/.data` whichever directory a child
 * process later runs in. A leading `~/` is the home directory, as the shell would have made
 * it had the path not been glued to its flag (`--clips=~/videos`). An empty value stays
 * empty, so the schema reports it as missing.
 */
export function resolveUserPath(
  value: string,
  cwd: string = process.cwd(),
  home: string = homedir(),
): string {
  if (value === '') return value;
  if (value === '~' || value.startsWith('~/')) return join(home, value.slice(1));
  return resolve(cwd, value);
}

/**
 * An executable setting: a bare name (`ffmpeg`) is looked up on PATH, so it stays as it is;
 * anything with a slash is a path, made absolute like `resolveUserPath`. (A relative path to
 * an executable spawned with another `cwd` is looked up from that directory, not this one.)
 */
function resolveExecutable(value: string | undefined, cwd: string): string | undefined {
  return value === undefined || isAbsolute(value) || !value.includes('/')
    ? value
    : resolveUserPath(value, cwd);
}

/**
 * The settings, from `env` with `overrides` (the flags) winning. `cwd` is where the user ran
 * the command: relative data, cache and ffmpeg paths are resolved against it, once, here.
 */
export function loadConfig(
  env: Env,
  overrides: ConfigOverrides = {},
  cwd: string = process.cwd(),
): Config {
  const timeoutS = overrides.timeoutS ?? numberFrom(env, 'CODEC_LAB_TIMEOUT_S') ?? 60;
  const openai = overrides.provider === 'openai';
  const candidate = {
    dataDir: resolveUserPath(overrides.dataDir ?? env.CODEC_LAB_DATA_DIR ?? '.data', cwd),
    cacheDir: resolveUserPath(
      env.CODEC_LAB_CACHE_DIR ?? join(homedir(), '.cache', 'codec-lab'),
      cwd,
    ),
    logLevel: env.CODEC_LAB_LOG_LEVEL ?? 'info',
    sandbox: {
      timeoutMs: Math.round(timeoutS * 1000),
      memoryLimitMb: overrides.memoryMb ?? numberFrom(env, 'CODEC_LAB_MEMORY_MB') ?? 1024,
      cpus: numberFrom(env, 'CODEC_LAB_CPUS') ?? 1,
      pidsLimit: numberFrom(env, 'CODEC_LAB_PIDS_LIMIT') ?? 64,
      tmpfsMb: numberFrom(env, 'CODEC_LAB_TMPFS_MB') ?? 64,
      poolSize: numberFrom(env, 'CODEC_LAB_POOL_SIZE') ?? 6,
      concurrency: numberFrom(env, 'CODEC_LAB_CONCURRENCY') ?? 2,
    },
    ffmpegPath: resolveExecutable(env.CODEC_LAB_FFMPEG, cwd),
    sandboxImage: env.CODEC_LAB_SANDBOX_IMAGE,
    llm: {
      apiKey: env.ANTHROPIC_API_KEY || undefined,
      baseUrl: (openai ? undefined : overrides.baseUrl) ?? (env.ANTHROPIC_BASE_URL || undefined),
      model: (openai ? undefined : overrides.model) ?? env.CODEC_LAB_MODEL ?? 'claude-sonnet-4-5',
      maxTokens: numberFrom(env, 'CODEC_LAB_MAX_TOKENS') ?? 16_000,
      secretId: env.CODEC_LAB_SECRET_ID ?? 'ai-video-codec/anthropic-api-key',
      awsRegion: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
      pricing: pricingFrom(env.CODEC_LAB_PRICING),
    },
    openai: {
      apiKey: env.OPENAI_API_KEY || undefined,
      baseUrl:
        (openai ? overrides.baseUrl : undefined) ??
        (env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL),
      model: (openai ? overrides.model : undefined) ?? (env.CODEC_LAB_OPENAI_MODEL || undefined),
      secretId: env.CODEC_LAB_OPENAI_SECRET_ID || undefined,
      pricing: openAiPricingFrom(env.CODEC_LAB_OPENAI_PRICING),
    },
  };
  const data = parseSettings(
    schema,
    candidate,
    SETTING_NAMES,
    'invalid settings (fix the flag or CODEC_LAB_* variable named)',
  );
  return Object.freeze({
    ...data,
    sandbox: Object.freeze(data.sandbox),
    llm: Object.freeze({ ...data.llm, pricing: Object.freeze(data.llm.pricing) }),
    openai: Object.freeze({
      ...data.openai,
      ...(data.openai.pricing ? { pricing: Object.freeze(data.openai.pricing) } : {}),
    }),
  });
}

/**
 * The self-debugger's settings (`codec-lab run`, `report`, `chat`): the analysis window, the
 * failure count past which every prompt carries the recommendations, the repairs per failed
 * candidate, and how often a report is written when nothing changed.
 */
const governanceSchema = z.object({
  lookbackMs: z
    .number()
    .int()
    .min(60_000, 'must be at least 60 s')
    .max(30 * 86_400_000),
  triggerFailures: z.number().int().min(0).max(10_000),
  maxRepairs: z.number().int().min(0).max(10),
  reportIntervalMs: z
    .number()
    .int()
    .min(1_000)
    .max(30 * 86_400_000),
});

export type GovernanceConfig = Readonly<z.infer<typeof governanceSchema>>;

/** The self-debugger's defaults (the seed's one-hour lookback); the only place they are written. */
export const DEFAULT_GOVERNANCE: GovernanceConfig = Object.freeze({
  lookbackMs: 3_600_000,
  triggerFailures: 5,
  maxRepairs: 2,
  reportIntervalMs: 3_600_000,
});

const GOVERNANCE_SETTING_NAMES: Readonly<Record<string, string>> = {
  lookbackMs: '--lookback / CODEC_LAB_LOOKBACK_S',
  triggerFailures: '--trigger-failures / CODEC_LAB_TRIGGER_FAILURES',
  maxRepairs: '--max-repairs / CODEC_LAB_MAX_REPAIRS',
  reportIntervalMs: 'CODEC_LAB_REPORT_INTERVAL_S',
};

export function loadGovernanceConfig(
  env: Env,
  overrides: {
    lookbackMs?: number | undefined;
    triggerFailures?: number | undefined;
    maxRepairs?: number | undefined;
  } = {},
): GovernanceConfig {
  const seconds = (name: string, fallback: number): number =>
    Math.round((numberFrom(env, name) ?? fallback) * 1000);
  const defaults = DEFAULT_GOVERNANCE;
  const candidate = {
    lookbackMs: overrides.lookbackMs ?? seconds('CODEC_LAB_LOOKBACK_S', defaults.lookbackMs / 1000),
    triggerFailures:
      overrides.triggerFailures ??
      numberFrom(env, 'CODEC_LAB_TRIGGER_FAILURES') ??
      defaults.triggerFailures,
    maxRepairs:
      overrides.maxRepairs ?? numberFrom(env, 'CODEC_LAB_MAX_REPAIRS') ?? defaults.maxRepairs,
    reportIntervalMs: seconds('CODEC_LAB_REPORT_INTERVAL_S', defaults.reportIntervalMs / 1000),
  };
  return Object.freeze(
    parseSettings(
      governanceSchema,
      candidate,
      GOVERNANCE_SETTING_NAMES,
      'invalid self-debugger settings (fix the flag or variable named)',
    ),
  );
}

/**
 * The status server's settings (`codec-lab serve`, `run --serve`). The admin token comes from
 * CODEC_LAB_ADMIN_TOKEN, or is fetched once at start-up from the Secrets Manager secret named
 * by CODEC_LAB_ADMIN_SECRET_ID; with neither, the admin routes are disabled.
 */
export const MIN_ADMIN_TOKEN_CHARS = 16;

const serverSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  adminToken: z
    .string()
    .min(MIN_ADMIN_TOKEN_CHARS, 'must be at least 16 characters (e.g. openssl rand -hex 32)')
    .optional(),
  adminSecretId: z.string().min(1).optional(),
  awsRegion: z.string().min(1).optional(),
});

export type ServerConfig = Readonly<z.infer<typeof serverSchema>>;

const SERVER_SETTING_NAMES: Readonly<Record<string, string>> = {
  host: 'CODEC_LAB_HOST',
  port: '--port / CODEC_LAB_PORT',
  adminToken: 'CODEC_LAB_ADMIN_TOKEN',
  adminSecretId: 'CODEC_LAB_ADMIN_SECRET_ID',
  awsRegion: 'AWS_REGION',
};

export const DEFAULT_SERVER_PORT = 8080;

export function loadServerConfig(
  env: Env,
  overrides: { port?: number | undefined } = {},
): ServerConfig {
  const candidate = {
    host: env.CODEC_LAB_HOST || '127.0.0.1',
    port: overrides.port ?? numberFrom(env, 'CODEC_LAB_PORT') ?? DEFAULT_SERVER_PORT,
    adminToken: env.CODEC_LAB_ADMIN_TOKEN || undefined,
    adminSecretId: env.CODEC_LAB_ADMIN_SECRET_ID || undefined,
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
  return Object.freeze(
    parseSettings(
      serverSchema,
      candidate,
      SERVER_SETTING_NAMES,
      'invalid server settings (fix the flag or variable named)',
    ),
  );
}
