import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { loadConfig, resolveUserPath } from '../../src/config.js';
import { CodecLabError, isCodecLabError } from '../../src/errors.js';

function configError(run: () => unknown): CodecLabError {
  try {
    run();
  } catch (error) {
    if (error instanceof CodecLabError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({}, {}, '/home/newcomer/codec-lab');
    expect(config).toEqual({
      dataDir: '/home/newcomer/codec-lab/.data',
      cacheDir: join(homedir(), '.cache', 'codec-lab'),
      logLevel: 'info',
      sandbox: {
        timeoutMs: 60_000,
        memoryLimitMb: 1024,
        cpus: 1,
        pidsLimit: 64,
        tmpfsMb: 64,
        poolSize: 6,
        concurrency: 2,
      },
      llm: {
        model: 'claude-sonnet-4-5',
        maxTokens: 16_000,
        secretId: 'ai-video-codec/anthropic-api-key',
        pricing: {
          inputPerMTok: 3,
          outputPerMTok: 15,
          cacheWritePerMTok: 3.75,
          cacheReadPerMTok: 0.3,
        },
      },
      openai: { baseUrl: 'https://api.openai.com/v1' },
    });
    expect(config.ffmpegPath).toBeUndefined();
    expect(config.sandboxImage).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('freezes the nested sandbox settings too', () => {
    const config = loadConfig({ CODEC_LAB_CPUS: '2' });
    expect(Object.isFrozen(config.sandbox)).toBe(true);
    // Modules are strict mode: writing to a frozen object throws instead of passing silently.
    expect(() => {
      (config.sandbox as { cpus: number }).cpus = 8;
    }).toThrow(TypeError);
    expect(config.sandbox.cpus).toBe(2);
  });

  it('treats empty numeric variables as unset', () => {
    expect(loadConfig({ CODEC_LAB_CPUS: '', CODEC_LAB_TIMEOUT_S: '' }).sandbox).toMatchObject({
      cpus: 1,
      timeoutMs: 60_000,
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      CODEC_LAB_DATA_DIR: '/var/lib/codec-lab',
      CODEC_LAB_CACHE_DIR: '/var/cache/codec-lab',
      CODEC_LAB_LOG_LEVEL: 'debug',
      CODEC_LAB_TIMEOUT_S: '2.5',
      CODEC_LAB_MEMORY_MB: '2048',
      CODEC_LAB_CPUS: '1.5',
      CODEC_LAB_PIDS_LIMIT: '128',
      CODEC_LAB_TMPFS_MB: '32',
      CODEC_LAB_POOL_SIZE: '0',
      CODEC_LAB_CONCURRENCY: '4',
      CODEC_LAB_FFMPEG: '/usr/bin/ffmpeg',
      CODEC_LAB_SANDBOX_IMAGE: 'codec-lab-sandbox:dev',
      ANTHROPIC_API_KEY: 'sk-test',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
      CODEC_LAB_MODEL: 'claude-test',
      CODEC_LAB_MAX_TOKENS: '8000',
      CODEC_LAB_SECRET_ID: 'my/secret',
      AWS_REGION: 'eu-west-1',
      CODEC_LAB_PRICING: '1,2,3,4',
      OPENAI_API_KEY: 'sk-openai-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      CODEC_LAB_OPENAI_MODEL: 'qwen-coder',
      CODEC_LAB_OPENAI_SECRET_ID: 'my/openai',
      CODEC_LAB_OPENAI_PRICING: '0.5,1.5,0.25',
    });
    expect(config).toEqual({
      dataDir: '/var/lib/codec-lab',
      cacheDir: '/var/cache/codec-lab',
      logLevel: 'debug',
      sandbox: {
        timeoutMs: 2500,
        memoryLimitMb: 2048,
        cpus: 1.5,
        pidsLimit: 128,
        tmpfsMb: 32,
        poolSize: 0,
        concurrency: 4,
      },
      ffmpegPath: '/usr/bin/ffmpeg',
      sandboxImage: 'codec-lab-sandbox:dev',
      llm: {
        apiKey: 'sk-test',
        baseUrl: 'http://127.0.0.1:9999',
        model: 'claude-test',
        maxTokens: 8000,
        secretId: 'my/secret',
        awsRegion: 'eu-west-1',
        pricing: { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 3, cacheReadPerMTok: 4 },
      },
      openai: {
        apiKey: 'sk-openai-test',
        baseUrl: 'http://127.0.0.1:8000/v1',
        model: 'qwen-coder',
        secretId: 'my/openai',
        pricing: { inputPerMTok: 0.5, outputPerMTok: 1.5, cachedInputPerMTok: 0.25 },
      },
    });
  });

  it('puts --model and --base-url into the provider they were given for', () => {
    const env = { CODEC_LAB_MODEL: 'claude-env', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' };
    const openai = loadConfig(env, {
      provider: 'openai',
      model: 'llama3',
      baseUrl: 'http://localhost:11434/v1',
    });
    expect(openai.openai).toMatchObject({ model: 'llama3', baseUrl: 'http://localhost:11434/v1' });
    expect(openai.llm.model).toBe('claude-env');
    expect(openai.llm.baseUrl).toBeUndefined();
    const anthropic = loadConfig(env, { model: 'claude-flag', baseUrl: 'http://127.0.0.1:2' });
    expect(anthropic.llm).toMatchObject({ model: 'claude-flag', baseUrl: 'http://127.0.0.1:2' });
    expect(anthropic.openai).toEqual({ baseUrl: 'http://127.0.0.1:1/v1' });
  });

  it('names the OpenAI price override when it is not three numbers', () => {
    const error = configError(() =>
      loadConfig({ CODEC_LAB_OPENAI_PRICING: '1,2', OPENAI_BASE_URL: 'nope' }),
    );
    expect(error.message).toContain('CODEC_LAB_OPENAI_PRICING (input,output,cached-input $/MTok)');
    expect(error.message).toContain('--base-url / OPENAI_BASE_URL');
  });

  it('lets command-line overrides win over the environment', () => {
    const env = {
      CODEC_LAB_DATA_DIR: '/from/env',
      CODEC_LAB_TIMEOUT_S: '30',
      CODEC_LAB_MEMORY_MB: '2048',
    };
    const config = loadConfig(env, { dataDir: '/from/flag', timeoutS: 5, memoryMb: 256 });
    expect(config.dataDir).toBe('/from/flag');
    expect(config.sandbox.timeoutMs).toBe(5000);
    expect(config.sandbox.memoryLimitMb).toBe(256);
  });

  it('falls back to the environment for overrides left undefined', () => {
    const config = loadConfig(
      { CODEC_LAB_TIMEOUT_S: '30', CODEC_LAB_MEMORY_MB: '2048' },
      { dataDir: undefined, timeoutS: undefined, memoryMb: undefined },
      '/work',
    );
    expect(config.sandbox.timeoutMs).toBe(30_000);
    expect(config.sandbox.memoryLimitMb).toBe(2048);
    expect(config.dataDir).toBe('/work/.data');
  });

  it('reports every bad setting at once in one CONFIG_INVALID error', () => {
    const error = configError(() =>
      loadConfig({
        CODEC_LAB_LOG_LEVEL: 'loud',
        CODEC_LAB_CPUS: 'lots',
        CODEC_LAB_PIDS_LIMIT: '2',
        CODEC_LAB_MEMORY_MB: '100.5',
        CODEC_LAB_CONCURRENCY: '0',
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(isCodecLabError(error, 'CONFIG_INVALID')).toBe(true);
    const problems = error.message.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems.map((line) => line.slice(4).split(': ')[0])).toEqual([
      'CODEC_LAB_LOG_LEVEL',
      '--memory-mb / CODEC_LAB_MEMORY_MB',
      'CODEC_LAB_CPUS',
      'CODEC_LAB_PIDS_LIMIT',
      'CODEC_LAB_CONCURRENCY',
    ]);
    expect(error.message).not.toContain('sandbox.');
  });

  it('reports an override that is out of range by its flag', () => {
    const error = configError(() => loadConfig({}, { timeoutS: 0.1, memoryMb: 32, dataDir: '' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('--data-dir / CODEC_LAB_DATA_DIR');
    expect(error.message).toContain('--timeout-s / CODEC_LAB_TIMEOUT_S');
    expect(error.message).toContain('--memory-mb / CODEC_LAB_MEMORY_MB');
    expect(error.message).not.toContain('sandbox.');
  });

  it('rejects a non-numeric timeout instead of defaulting it', () => {
    const error = configError(() => loadConfig({ CODEC_LAB_TIMEOUT_S: 'sixty' }));
    expect(error.message).toContain('CODEC_LAB_TIMEOUT_S');
  });

  it.each([
    ['CODEC_LAB_DATA_DIR', ''],
    ['CODEC_LAB_LOG_LEVEL', 'loud'],
    ['CODEC_LAB_TIMEOUT_S', '0.1'],
    ['CODEC_LAB_MEMORY_MB', '32'],
    ['CODEC_LAB_CPUS', '0'],
    ['CODEC_LAB_PIDS_LIMIT', '4'],
    ['CODEC_LAB_TMPFS_MB', '0'],
    ['CODEC_LAB_POOL_SIZE', '17'],
    ['CODEC_LAB_CONCURRENCY', '0'],
    ['CODEC_LAB_FFMPEG', ''],
    ['CODEC_LAB_SANDBOX_IMAGE', ''],
  ])('names %s when its value is bad', (name, value) => {
    const error = configError(() => loadConfig({ [name]: value }));
    const problems = error.message.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  // Issue 19: `.data` was handed on as it was typed, and ffmpeg, run in the clip folder, looked
  // for `.data/clips/dev/...` inside `.data/clips/dev`. Every path leaves the config absolute.
  describe('paths are relative to where the command was run', () => {
    it('resolves the default data dir under the given cwd', () => {
      expect(loadConfig({}, {}, '/srv/clone').dataDir).toBe('/srv/clone/.data');
    });

    it('uses the process working directory when no cwd is given', () => {
      expect(loadConfig({}).dataDir).toBe(join(process.cwd(), '.data'));
    });

    it('resolves a relative --data-dir', () => {
      const config = loadConfig({}, { dataDir: '../runs/./today' }, '/srv/clone');
      expect(config.dataDir).toBe('/srv/runs/today');
    });

    it('resolves relative CODEC_LAB_DATA_DIR and CODEC_LAB_CACHE_DIR', () => {
      const config = loadConfig(
        { CODEC_LAB_DATA_DIR: 'data', CODEC_LAB_CACHE_DIR: './cache/codec-lab' },
        {},
        '/srv/clone',
      );
      expect(config.dataDir).toBe('/srv/clone/data');
      expect(config.cacheDir).toBe('/srv/clone/cache/codec-lab');
    });

    it('keeps absolute paths as they are (normalised)', () => {
      const config = loadConfig(
        { CODEC_LAB_DATA_DIR: '/var/lib/codec-lab/', CODEC_LAB_CACHE_DIR: '/var//cache' },
        {},
        '/srv/clone',
      );
      expect(config.dataDir).toBe('/var/lib/codec-lab');
      expect(config.cacheDir).toBe('/var/cache');
    });

    it('resolves a relative CODEC_LAB_FFMPEG path but leaves a bare name for PATH', () => {
      expect(loadConfig({ CODEC_LAB_FFMPEG: 'bin/ffmpeg' }, {}, '/srv').ffmpegPath).toBe(
        '/srv/bin/ffmpeg',
      );
      expect(loadConfig({ CODEC_LAB_FFMPEG: 'ffmpeg' }, {}, '/srv').ffmpegPath).toBe('ffmpeg');
      expect(loadConfig({ CODEC_LAB_FFMPEG: '/usr/bin/ffmpeg' }, {}, '/srv').ffmpegPath).toBe(
        '/usr/bin/ffmpeg',
      );
    });

    it('still reports an empty data dir instead of resolving it to the cwd', () => {
      const error = configError(() => loadConfig({}, { dataDir: '' }, '/srv/clone'));
      expect(error.message).toContain('--data-dir / CODEC_LAB_DATA_DIR');
    });
  });
});

describe('resolveUserPath', () => {
  it.each([
    ['my_codec.py', '/home/u/work', '/home/u/work/my_codec.py'],
    ['./clips/', '/home/u/work', '/home/u/work/clips'],
    ['../videos/a.mkv', '/home/u/work', '/home/u/videos/a.mkv'],
    ['/abs/codec.py', '/home/u/work', '/abs/codec.py'],
    ['.', '/home/u/work', '/home/u/work'],
  ])('resolves %s from %s to %s', (value, cwd, expected) => {
    expect(resolveUserPath(value, cwd)).toBe(expected);
  });

  it('defaults to the process working directory', () => {
    expect(resolveUserPath('codec.py')).toBe(join(process.cwd(), 'codec.py'));
  });

  it('leaves an empty value empty, for the flag check to report', () => {
    expect(resolveUserPath('', '/home/u')).toBe('');
  });

  it('expands a leading ~/ to the home directory (a path glued to its flag is not expanded by the shell)', () => {
    expect(resolveUserPath('~/videos', '/srv', '/home/u')).toBe('/home/u/videos');
    expect(resolveUserPath('~', '/srv', '/home/u')).toBe('/home/u');
    expect(resolveUserPath('~other/videos', '/srv', '/home/u')).toBe('/srv/~other/videos');
  });
});
