import { describe, expect, it } from 'vitest';

import { extractCode, fencedBlocks } from '../../src/generators/extract-code.js';

const CODEC = [
  'import numpy as np',
  '',
  'def compress_video_frame(frame, config):',
  "    return {'compressed': frame.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  "    h, w = config['height'], config['width']",
  '    return np.frombuffer(compressed, np.uint8).reshape(h, w, 3)',
].join('\n');

describe('extractCode', () => {
  it('takes the one ```python block, with a trailing newline', () => {
    const text = `Here is a codec.\n\n\`\`\`python\n${CODEC}\n\`\`\`\n`;
    expect(extractCode(text, 'end_turn')).toEqual({ ok: true, code: `${CODEC}\n` });
  });

  it.each(['py', 'Python', 'python3', ''])('accepts a block tagged %j', (lang) => {
    const result = extractCode(`\`\`\`${lang}\n${CODEC}\n\`\`\``);
    expect(result).toEqual({ ok: true, code: `${CODEC}\n` });
  });

  it('accepts tilde fences and longer closing fences', () => {
    expect(extractCode(`~~~python\n${CODEC}\n~~~~\n`)).toEqual({ ok: true, code: `${CODEC}\n` });
  });

  it('keeps a shorter inner fence as code', () => {
    const code = `${CODEC}\n# a comment with \`\`\` inside`;
    const result = extractCode(`\`\`\`\`python\n${code}\n\`\`\`\`\n`);
    expect(result).toEqual({ ok: true, code: `${code}\n` });
  });

  it('prefers the block that defines compress_video_frame over other blocks', () => {
    const text = [
      'Install nothing:',
      '```bash',
      'pip install numpy',
      '```',
      '```python',
      CODEC,
      '```',
      'Example use:',
      '```python',
      "out = compress_video_frame(frame, {'quality': 0.5})",
      '```',
    ].join('\n');
    expect(extractCode(text)).toEqual({ ok: true, code: `${CODEC}\n` });
  });

  it('takes a lone python block without the entry point (the validator reports it)', () => {
    const code = 'import os\n\ndef my_compress(data):\n    return data\n';
    expect(extractCode(`\`\`\`python\n${code}\`\`\``)).toEqual({ ok: true, code });
  });

  it('refuses two blocks that both define compress_video_frame', () => {
    const text = `First try:\n\`\`\`python\n${CODEC}\n\`\`\`\nBetter:\n\`\`\`python\n${CODEC}\n\`\`\`\n`;
    const result = extractCode(text);
    expect(result).toMatchObject({ ok: false, kind: 'several_code_blocks' });
    expect(result.ok ? '' : result.message).toContain('lines 2, 13');
  });

  it('refuses two python blocks when neither defines the entry point', () => {
    const result = extractCode('```python\nx = 1\n```\n```py\ny = 2\n```');
    expect(result).toMatchObject({ ok: false, kind: 'several_code_blocks' });
  });

  it('reports a response without any fenced block', () => {
    expect(extractCode(`Sure! ${CODEC}`)).toMatchObject({ ok: false, kind: 'no_code_block' });
  });

  it('reports a response whose blocks are not python', () => {
    const result = extractCode('```json\n{"a": 1}\n```');
    expect(result).toMatchObject({ ok: false, kind: 'no_code_block' });
    expect(result.ok ? '' : result.message).toContain('json');
  });

  it('reports an empty python block', () => {
    expect(extractCode('```python\n\n```')).toMatchObject({ ok: false, kind: 'no_code_block' });
  });

  it('reports max_tokens as truncated even when the fence looks closed', () => {
    const result = extractCode(`\`\`\`python\n${CODEC}\n\`\`\``, 'max_tokens');
    expect(result).toMatchObject({ ok: false, kind: 'truncated' });
  });

  it('reports an unclosed fence as truncated, naming its line', () => {
    const result = extractCode(`Here:\n\`\`\`python\n${CODEC}`, 'end_turn');
    expect(result).toMatchObject({ ok: false, kind: 'truncated' });
    expect(result.ok ? '' : result.message).toContain('line 2');
  });

  it.each(['', '   \n\t'])('reports %j as an empty response', (text) => {
    expect(extractCode(text, 'end_turn')).toMatchObject({ ok: false, kind: 'empty_response' });
  });

  it('handles CRLF line endings', () => {
    const text = `\`\`\`python\r\n${CODEC.replaceAll('\n', '\r\n')}\r\n\`\`\`\r\n`;
    expect(extractCode(text)).toEqual({ ok: true, code: `${CODEC}\n` });
  });
});

describe('fencedBlocks', () => {
  it('records language, line and closure', () => {
    expect(fencedBlocks('a\n```Python extra\nx\n```\n```\ny')).toEqual([
      { lang: 'python', body: 'x', closed: true, line: 2 },
      { lang: '', body: 'y', closed: false, line: 5 },
    ]);
  });

  it('does not close a backtick fence with tildes', () => {
    expect(fencedBlocks('```\n~~~\n```')).toEqual([
      { lang: '', body: '~~~', closed: true, line: 1 },
    ]);
  });
});
