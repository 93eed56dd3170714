import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseDuration } from '../../src/cli/durations.js';
import { parseQualities } from '../../src/cli/evaluate-command.js';
import { converted, flag, parseFlags } from '../../src/cli/typed-flags.js';
import { CodecLabError } from '../../src/errors.js';

const schema = z.object({
  json: flag,
  frames: z.number().optional(),
  qualities: converted(parseQualities),
  lookback: converted((text) => parseDuration(text, '--lookback')).optional(),
});

describe('parseFlags', () => {
  it("types commander's values, converting the text flags", () => {
    const flags = parseFlags(schema, { json: true, qualities: '0.5,0.1', lookback: '2h' });
    expect(flags).toEqual({ json: true, qualities: [0.1, 0.5], lookback: 7_200_000 });
  });

  it('reports every bad flag at once, in the words of its parser, as a usage error', () => {
    let error: unknown;
    try {
      parseFlags(schema, { qualities: 'high', lookback: '3q' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CodecLabError);
    expect(error).toMatchObject({ code: 'USAGE' });
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain('--qualities takes comma-separated numbers in [0, 1]');
    expect(message).toContain("--lookback takes a duration such as 30m, 1h or 2d, got '3q'");
  });

  it('lets an error that is not a usage error through as it is', () => {
    const broken = z.object({
      value: converted(() => {
        throw new RangeError('a bug');
      }),
    });
    expect(() => parseFlags(broken, { value: 'x' })).toThrow(RangeError);
  });
});
