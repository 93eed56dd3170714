import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  blockText,
  OFFLINE_BLOCKS_DIR,
  parseBlocks,
} from '../../src/generators/offline/python-blocks.js';

describe('python blocks', () => {
  it('a block is the text after its marker up to the next, without surrounding blank lines', () => {
    const text =
      '"""doc"""\nimport numpy as np\n\n\n# block: a\n\ndef f():\n    return np\n\n\n# block: b\nX = 1\n';
    const blocks = parseBlocks(text);
    expect([...blocks.keys()]).toEqual(['a', 'b']);
    expect(blocks.get('a')).toBe('def f():\n    return np');
    expect(blocks.get('b')).toBe('X = 1');
  });

  it('every file in assets/offline has blocks; a missing block names the file to restore', () => {
    const files = readdirSync(OFFLINE_BLOCKS_DIR).filter((name) => name.endsWith('.py'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const blocks = parseBlocks(readFileSync(new URL(file, OFFLINE_BLOCKS_DIR), 'utf8'));
      expect(blocks.size, file).toBeGreaterThan(0);
      for (const [name, text] of blocks) {
        expect(text, `${file} ${name}`).not.toBe('');
        expect(blockText(file, name)).toBe(text);
      }
    }
    expect(() => blockText('skeleton.py', 'nope')).toThrow(/skeleton\.py has no "# block: nope"/);
    expect(() => blockText('nope.py', 'x')).toThrow(/cannot read .*nope\.py/);
  });
});
