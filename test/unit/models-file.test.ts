import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config.js';
import type { CodecLabError } from '../../src/errors.js';
import { isCodecLabError } from '../../src/errors.js';
import { parseModels } from '../../src/generators/ensemble/model-spec.js';
import { createLogger } from '../../src/logger.js';
import {
  anthropicMemberPricing,
  providerFactory,
  readModelsFile,
} from '../../src/cli/llm-runtime.js';

function problems(value: unknown): string {
  try {
    parseModels(JSON.stringify(value), 'models.json');
  } catch (error) {
    expect(isCodecLabError(error, 'CONFIG_INVALID')).toBe(true);
    return (error as CodecLabError).message;
  }
  throw new Error('expected the file to be refused');
}

describe('--models file', () => {
  it('reads members with the documented fields, weight 1 by default', () => {
    const specs = parseModels(
      JSON.stringify([
        { name: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5' },
        {
          name: 'local',
          provider: 'openai',
          model: 'qwen2.5-coder:32b',
          base_url: 'http://127.0.0.1:11434/v1',
          weight: 3,
          price_in_per_mtok: 0,
          price_out_per_mtok: 0,
        },
      ]),
      'models.json',
    );
    expect(specs).toEqual([
      { name: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 1 },
      {
        name: 'local',
        provider: 'openai',
        model: 'qwen2.5-coder:32b',
        base_url: 'http://127.0.0.1:11434/v1',
        weight: 3,
        price_in_per_mtok: 0,
        price_out_per_mtok: 0,
      },
    ]);
  });

  it('names every bad entry and what to fix, all at once', () => {
    const message = problems([
      { name: 'a', provider: 'anthropic', model: 'm' },
      { name: 'a', provider: 'anthropic', model: 'm2' },
      { name: 'b', provider: 'gemini', model: 'm' },
      { name: 'c', provider: 'openai', model: 'm', weight: 0 },
      { name: 'd', provider: 'openai', model: '', price_in_per_mtok: -1 },
      { name: 'e', provider: 'openai', model: 'm', base_url: 'ftp://host/v1', temperature: 1 },
    ]);
    expect(message).toContain('entry 2 ("a"): name "a" is already used by entry 1');
    expect(message).toContain('entry 3 ("b"): provider: provider must be "anthropic" or "openai"');
    expect(message).toContain('entry 4 ("c"): weight: weight must be > 0');
    expect(message).toContain('entry 5 ("d"): model: model must be a non-empty string');
    expect(message).toContain('entry 5 ("d"): price_in_per_mtok: price_in_per_mtok must be ≥ 0');
    expect(message).toContain('entry 6 ("e"): base_url: base_url must be an http(s) URL');
    expect(message).toContain('entry 6 ("e"): unknown field(s) temperature');
    expect(message).not.toMatch(/^ {2}entry 1 /m);
  });

  it('refuses what is not a non-empty JSON list', () => {
    expect(problems([])).toMatch(/non-empty JSON list/);
    expect(problems({ name: 'a' })).toMatch(/non-empty JSON list/);
    expect(() => parseModels('[{', 'm.json')).toThrow(/m.json is not JSON/);
    expect(problems([{ provider: 'anthropic', model: 'm' }])).toMatch(/entry 1: name:/);
  });

  it('says which file it could not read', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'models-')), 'none.json');
    expect(() => readModelsFile(missing)).toThrow(/cannot read --models .*none.json \(ENOENT\)/);
    const file = join(mkdtempSync(join(tmpdir(), 'models-')), 'm.json');
    writeFileSync(file, '[{"name": "x", "provider": "anthropic", "model": "m"}]');
    expect(readModelsFile(file)).toHaveLength(1);
  });

  it('prices a member from its file entry, cache prices in Anthropic ratios', () => {
    const fallback = {
      inputPerMTok: 3,
      outputPerMTok: 15,
      cacheWritePerMTok: 3.75,
      cacheReadPerMTok: 0.3,
    };
    const spec = { name: 'h', provider: 'anthropic', model: 'haiku', weight: 1 } as const;
    expect(anthropicMemberPricing(spec, fallback)).toBe(fallback);
    expect(
      anthropicMemberPricing({ ...spec, price_in_per_mtok: 1, price_out_per_mtok: 5 }, fallback),
    ).toEqual({
      inputPerMTok: 1,
      outputPerMTok: 5,
      cacheWritePerMTok: 1.25,
      cacheReadPerMTok: 0.1,
    });
  });

  it('the provider seam: anthropic members get their model; a hosted openai member without a key is refused clearly', async () => {
    const config = loadConfig({ ANTHROPIC_API_KEY: 'sk-test' }, { dataDir: tmpdir() });
    const factory = providerFactory(config, createLogger({ level: 'silent' }));
    const member = await factory({
      name: 's',
      provider: 'anthropic',
      model: 'claude-x',
      weight: 1,
    });
    expect(member.name).toBe('anthropic');
    expect((member as unknown as { model: string }).model).toBe('claude-x');
    const refused = await factory({ name: 'o', provider: 'openai', model: 'gpt', weight: 1 }).catch(
      (error: unknown) => error,
    );
    // OpenAI members are built (test/unit/llm-runtime-ensemble.test.ts); api.openai.com needs a key.
    expect(isCodecLabError(refused, 'API_KEY_MISSING')).toBe(true);
    expect((refused as Error).message).toContain('OPENAI_API_KEY');
  });
});
