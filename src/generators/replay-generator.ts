import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecLabError } from '../errors.js';
import { extractCode } from './extract-code.js';
import {
  PROMPTED_CAPABILITIES,
  type CodeGenerator,
  type Generation,
  type GenerationContext,
  type Usage,
} from './generator.js';

/**
 * Recorded LLM responses served in order, one per generate(): for demos and tests, no network.
 *
 * The folder holds `001.md`, `002.md`, … (the response text as it came) and/or `*.json` files
 * shaped like the Messages API's answer: `{"content": "..." | [{"type": "text", "text": "..."}],
 * "stop_reason": "end_turn", "model": "...", "usage": {"input_tokens": 1, ...}, "cost_usd": 0}`.
 * Files are served in name order (numbers compared as numbers); README.md and dot-files are
 * skipped. A replay spends nothing: costUsd is the recorded `cost_usd`, else 0.
 */
export class ReplayGenerator implements CodeGenerator {
  readonly name = 'replay';
  readonly capabilities = PROMPTED_CAPABILITIES;
  private files: readonly string[] | null = null;
  private next = 0;

  constructor(
    private readonly dir: string,
    private readonly defaultModel = 'replay',
  ) {}

  /** The response files, in the order they are served. */
  async list(): Promise<readonly string[]> {
    if (this.files === null) {
      let names: string[];
      try {
        names = await readdir(this.dir);
      } catch (error) {
        throw new CodecLabError(
          'USAGE',
          `cannot read the replay folder ${this.dir}: give a folder of recorded responses ` +
            '(001.md, 002.md, … or *.json)',
          { cause: error },
        );
      }
      this.files = names
        .filter(
          (name) => /\.(md|json)$/i.test(name) && !name.startsWith('.') && !/^readme\./i.test(name),
        )
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    }
    return this.files;
  }

  async generate(_context: GenerationContext): Promise<Generation> {
    const files = await this.list();
    const index = this.next++;
    const name = files[index];
    if (name === undefined) {
      throw new CodecLabError(
        'USAGE',
        `the replay folder ${this.dir} has ${files.length} recorded response${files.length === 1 ? '' : 's'} ` +
          `and all were served: record more, or run at most ${files.length} iterations`,
      );
    }
    const path = join(this.dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new CodecLabError('USAGE', `cannot read the recorded response ${path}`, {
        cause: error,
      });
    }
    const recorded = name.toLowerCase().endsWith('.json')
      ? parseRecorded(text, path, this.defaultModel)
      : {
          raw: text,
          stopReason: 'end_turn',
          model: this.defaultModel,
          usage: replayUsage(undefined, undefined),
        };
    const extracted = extractCode(recorded.raw, recorded.stopReason);
    const { raw, model, usage } = recorded;
    if (!extracted.ok)
      return { ok: false, kind: extracted.kind, message: extracted.message, raw, model, usage };
    return { ok: true, code: extracted.code, raw, model, usage, origin: { replayFile: name } };
  }
}

interface Recorded {
  readonly raw: string;
  readonly stopReason: string | null;
  readonly model: string;
  readonly usage: Usage;
}

function parseRecorded(text: string, path: string, defaultModel: string): Recorded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CodecLabError('USAGE', `the recorded response ${path} is not valid JSON`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodecLabError(
      'USAGE',
      `the recorded response ${path} is not a JSON object with "content"`,
    );
  }
  const record = value as Record<string, unknown>;
  const content = record.content;
  let raw: string;
  if (typeof content === 'string') raw = content;
  else if (Array.isArray(content)) {
    raw = content
      .map((block: unknown) => {
        const b = block as { type?: unknown; text?: unknown } | null;
        return b !== null && b.type === 'text' && typeof b.text === 'string' ? b.text : '';
      })
      .join('');
  } else {
    throw new CodecLabError(
      'USAGE',
      `the recorded response ${path} has no "content" (a string or a list of text blocks)`,
    );
  }
  const stopReason = typeof record.stop_reason === 'string' ? record.stop_reason : null;
  const model = typeof record.model === 'string' ? record.model : defaultModel;
  return { raw, stopReason, model, usage: replayUsage(record.usage, record.cost_usd) };
}

function replayUsage(usage: unknown, cost: unknown): Usage {
  const u = (typeof usage === 'object' && usage !== null ? usage : {}) as Record<string, unknown>;
  const count = (v: unknown): number =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  return {
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
    cacheReadTokens: count(u.cache_read_input_tokens),
    cacheWriteTokens: count(u.cache_creation_input_tokens),
    costUsd: count(cost),
  };
}
