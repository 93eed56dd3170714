/**
 * The offline generator's Python building blocks, kept as real `.py` files in assets/offline/ so
 * they are linted as Python (pyflakes in the lint tier of `npm test`). tsc does not copy them
 * into dist/; they are read from the repository (the worker image copies `assets/`).
 *
 * A file is a preamble, then blocks. The preamble (a docstring, imports, and `from codec import`
 * of the names other blocks define) is there only so that the file is valid Python on its own;
 * it is never copied. Each block starts at a line `# block: NAME` and runs to the next one; its
 * text, without surrounding blank lines, is what a rendered codec contains.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const OFFLINE_BLOCKS_DIR = new URL('../../../assets/offline/', import.meta.url);

const MARKER = /^# block: (\S+)$/;
const files = new Map<string, ReadonlyMap<string, string>>();

/** The blocks of one file's text, by name. Pure. */
export function parseBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const name = MARKER.exec(line)?.[1];
    if (name !== undefined) {
      current = [];
      blocks.set(name, current);
    } else {
      current?.push(line);
    }
  }
  return new Map(
    [...blocks].map(([name, lines]) => [name, lines.join('\n').replace(/^\n+|\n+$/g, '')]),
  );
}

/** The text of block `name` in assets/offline/`file`, read once per process. */
export function blockText(file: string, name: string): string {
  let blocks = files.get(file);
  if (blocks === undefined) {
    const url = new URL(file, OFFLINE_BLOCKS_DIR);
    let text: string;
    try {
      text = readFileSync(url, 'utf8');
    } catch (cause) {
      throw new Error(
        `cannot read the offline generator's building block ${fileURLToPath(url)}; ` +
          'run codec-lab from a complete checkout (the assets/ folder ships with it)',
        { cause },
      );
    }
    blocks = parseBlocks(text);
    files.set(file, blocks);
  }
  const block = blocks.get(name);
  if (block === undefined) {
    throw new Error(`assets/offline/${file} has no "# block: ${name}"; restore the file`);
  }
  return block;
}

/** A block as a section part: starts and ends with a newline, like the parts it joins. */
export function block(file: string, name: string): string {
  return `\n${blockText(file, name)}\n`;
}
