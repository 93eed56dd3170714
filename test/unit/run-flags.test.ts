/**
 * `run`'s flag rules that tie flags together (cli/commands/run.ts): --models replaces
 * --generator, --model and --base-url, and each conflict is refused with the fix.
 */
import { Command } from 'commander';
import pino from 'pino';
import { describe, expect, it } from 'vitest';

import { registerRun } from '../../src/cli/commands/run.js';
import { isCodecLabError } from '../../src/errors.js';

/** The usage error `run ARGS` stops with, before any config, store or Docker is touched. */
async function refusal(args: readonly string[]): Promise<Error> {
  const program = new Command().exitOverride();
  const writes: string[] = [];
  registerRun(program, {
    log: pino({ level: 'silent' }),
    write: (text) => writes.push(text),
    exitWith: () => undefined,
  });
  const error: unknown = await program.parseAsync(['node', 'codec-lab', 'run', ...args]).then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(writes).toEqual([]);
  if (!isCodecLabError(error, 'USAGE')) throw error;
  return error;
}

describe('run --models and the single-model flags', () => {
  it('refuses --generator with --models', async () => {
    const error = await refusal(['--models', 'm.json', '--generator', 'openai']);
    expect(error.message).toContain('leave out --generator');
  });

  it.each([[['--model', 'llama3']], [['--base-url', 'http://localhost:11434/v1']]])(
    'refuses %j with --models, naming the file entries as the place for them',
    async (extra) => {
      const error = await refusal(['--models', 'm.json', ...extra]);
      expect(error.message).toContain('leave out --model and --base-url');
      expect(error.message).not.toContain('--generator');
    },
  );

  it('reports every conflict at once', async () => {
    const error = await refusal(['--models', 'm.json', '--generator', 'openai', '--model', 'x']);
    expect(error.message).toContain('leave out --generator');
    expect(error.message).toContain('leave out --model and --base-url');
  });

  it('refuses --model-policy without --models', async () => {
    const error = await refusal(['--model-policy', 'weighted']);
    expect(error.message).toContain('--model-policy needs --models FILE');
  });
});
