import { describe, expect, it } from 'vitest';

import { CodecLabError, isCodecLabError } from '../../src/errors.js';
import {
  EnvSecretSource,
  apiKeyFromSecret,
  DEFAULT_SECRET_ID,
} from '../../src/secrets/secret-source.js';

const KEY = 'sk-ant-test-0123456789abcdef';
const ID = 'team/anthropic';

function thrown(fn: () => unknown): CodecLabError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodecLabError) return error;
    throw error;
  }
  throw new Error('expected a CodecLabError');
}

describe('apiKeyFromSecret', () => {
  it('takes a plain string, trimmed', () => {
    expect(apiKeyFromSecret(`  ${KEY}\n`, ID)).toBe(KEY);
  });

  it.each([
    { ANTHROPIC_API_KEY: KEY },
    { api_key: KEY },
    { apiKey: KEY },
    { anthropic_api_key: KEY, other: 'x' },
    { ANTHROPIC_API_KEY: '', api_key: KEY },
  ])('takes the key from JSON %j', (json) => {
    expect(apiKeyFromSecret(JSON.stringify(json), ID)).toBe(KEY);
  });

  it('takes a JSON string literal', () => {
    expect(apiKeyFromSecret(JSON.stringify(KEY), ID)).toBe(KEY);
  });

  it('prefers ANTHROPIC_API_KEY over api_key', () => {
    expect(apiKeyFromSecret(JSON.stringify({ api_key: 'other', ANTHROPIC_API_KEY: KEY }), ID)).toBe(
      KEY,
    );
  });

  it('names the fields it found, never their values, when none holds a key', () => {
    const error = thrown(() =>
      apiKeyFromSecret(JSON.stringify({ token: KEY, region: 'us-east-1' }), ID),
    );
    expect(error.code).toBe('API_KEY_MISSING');
    expect(error.message).toContain('"token", "region"');
    expect(error.message).toContain(ID);
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('us-east-1');
  });

  it('says so for an empty object, an array and an empty secret', () => {
    expect(thrown(() => apiKeyFromSecret('{}', ID)).message).toContain('no fields');
    expect(thrown(() => apiKeyFromSecret(`["${KEY}"]`, ID)).message).toContain('array');
    expect(thrown(() => apiKeyFromSecret('  ', ID)).message).toContain('is empty');
  });

  it('does not echo broken JSON (it may hold the key)', () => {
    const error = thrown(() => apiKeyFromSecret(`{"ANTHROPIC_API_KEY": "${KEY}"`, ID));
    expect(error.code).toBe('API_KEY_MISSING');
    expect(error.message).toContain('does not parse');
    expect(error.message).not.toContain(KEY);
    expect(error.cause).toBeUndefined();
  });
});

describe('EnvSecretSource', () => {
  it('reads the named variable of the environment it was given', async () => {
    await expect(new EnvSecretSource({ ANTHROPIC_API_KEY: ` ${KEY} ` }).get()).resolves.toBe(KEY);
    await expect(new EnvSecretSource({ MY_KEY: KEY }, 'MY_KEY').get()).resolves.toBe(KEY);
  });

  it('says what to set when the variable is missing or blank', async () => {
    for (const env of [{}, { ANTHROPIC_API_KEY: '  ' }]) {
      const error: unknown = await new EnvSecretSource(env).get().catch((e: unknown) => e);
      expect(isCodecLabError(error, 'API_KEY_MISSING')).toBe(true);
      expect((error as Error).message).toContain('export ANTHROPIC_API_KEY=');
      expect((error as Error).message).toContain(DEFAULT_SECRET_ID);
    }
  });
});
