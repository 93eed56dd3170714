import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isCodecLabError } from '../../src/errors.js';
import type { GenerationContext } from '../../src/generators/generator.js';
import { ReplayGenerator } from '../../src/generators/replay-generator.js';

const CONTEXT: GenerationContext = {
  iteration: 1,
  incumbent: null,
  parent: null,
  recent: [],
  prompt: { system: 'system', user: 'user' },
};

const CODE = 'def compress_video_frame(frame, config):\n    return {}\n';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codec-lab-replay-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ReplayGenerator', () => {
  it('serves .md and .json responses in numeric name order, then says it is exhausted', async () => {
    await writeFile(join(dir, '10.md'), `Last:\n\`\`\`python\n${CODE}\`\`\`\n`);
    await writeFile(
      join(dir, '002.json'),
      JSON.stringify({
        content: [{ type: 'text', text: 'No code, sorry.' }],
        stop_reason: 'end_turn',
        model: 'claude-recorded',
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 7 },
        cost_usd: 0.25,
      }),
    );
    await writeFile(join(dir, '001.md'), `\`\`\`python\n${CODE}\`\`\``);
    await writeFile(join(dir, 'README.md'), 'not a response');
    await writeFile(join(dir, 'notes.txt'), 'ignored');

    const replay = new ReplayGenerator(dir);
    expect(await replay.list()).toEqual(['001.md', '002.json', '10.md']);

    const first = await replay.generate(CONTEXT);
    expect(first).toMatchObject({
      ok: true,
      code: CODE,
      model: 'replay',
      origin: { replayFile: '001.md' },
    });
    expect(first.usage.costUsd).toBe(0);

    const second = await replay.generate(CONTEXT);
    expect(second).toMatchObject({
      ok: false,
      kind: 'no_code_block',
      raw: 'No code, sorry.',
      model: 'claude-recorded',
    });
    expect(second.usage).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 7,
      cacheWriteTokens: 0,
      costUsd: 0.25,
    });

    expect(await replay.generate(CONTEXT)).toMatchObject({ ok: true, code: CODE });

    const error: unknown = await replay.generate(CONTEXT).catch((e: unknown) => e);
    expect(isCodecLabError(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toContain('has 3 recorded responses and all were served');
  });

  it('reports a recorded max_tokens stop as truncated', async () => {
    await writeFile(
      join(dir, '001.json'),
      JSON.stringify({ content: `\`\`\`python\n${CODE}`, stop_reason: 'max_tokens' }),
    );
    expect(await new ReplayGenerator(dir).generate(CONTEXT)).toMatchObject({
      ok: false,
      kind: 'truncated',
    });
  });

  it('names the file when a recording is malformed', async () => {
    await writeFile(join(dir, '001.json'), '{"content": ');
    const error: unknown = await new ReplayGenerator(dir)
      .generate(CONTEXT)
      .catch((e: unknown) => e);
    expect(isCodecLabError(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toContain(join(dir, '001.json'));
  });

  it('says what to give when the folder is missing', async () => {
    const error: unknown = await new ReplayGenerator(join(dir, 'nope'))
      .generate(CONTEXT)
      .catch((e: unknown) => e);
    expect(isCodecLabError(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toContain('cannot read the replay folder');
  });
});
