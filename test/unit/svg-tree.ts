/**
 * A strict little XML reader for the charts' SVG: it throws on anything that is not
 * well-formed (unbalanced or crossed tags, unquoted or repeated attributes, stray `<` or `&`,
 * more than one root), and gives the element tree to query. Enough for Vega's output, which
 * has no DTD, CDATA or processing instructions.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(text: string, where: number): string {
  if (text.replace(ENTITY, '').includes('&')) throw new Error(`bare & near offset ${where}`);
  if (text.includes('<')) throw new Error(`bare < near offset ${where}`);
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

export function parseXml(source: string): XmlElement {
  const text = source.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('<', i);
    const chunk = text.slice(i, open === -1 ? text.length : open);
    if (chunk.trim() !== '') {
      const top = stack.at(-1);
      if (top === undefined) throw new Error(`text outside the root near offset ${i}`);
      top.text += decode(chunk, i);
    }
    if (open === -1) break;
    const close = text.indexOf('>', open);
    if (close === -1) throw new Error(`unterminated tag at offset ${open}`);
    const tag = text.slice(open + 1, close);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const top = stack.pop();
      if (top?.name !== name) throw new Error(`</${name}> closes <${top?.name ?? 'nothing'}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      let rest = selfClosing ? tag.slice(0, -1) : tag;
      const name = NAME.exec(rest)?.[0];
      if (name === undefined) throw new Error(`bad tag name at offset ${open}`);
      rest = rest.slice(name.length);
      const attributes: Record<string, string> = {};
      for (;;) {
        rest = rest.replace(/^\s+/, '');
        if (rest === '') break;
        const attr = /^([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(rest);
        if (attr === null) throw new Error(`bad attribute in <${name}> at offset ${open}`);
        if (attr[1]! in attributes) throw new Error(`repeated ${attr[1]} in <${name}>`);
        attributes[attr[1]!] = decode(attr[2]!, open);
        rest = rest.slice(attr[0].length);
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent === undefined) {
        if (root !== null) throw new Error('more than one root element');
        root = element;
      } else {
        parent.children.push(element);
      }
      if (!selfClosing) stack.push(element);
    }
    i = close + 1;
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (root === null) throw new Error('no root element');
  return root;
}

/** Every element below (and including) `root` that `match` accepts, in document order. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const found: XmlElement[] = match(root) ? [root] : [];
  for (const child of root.children) found.push(...findAll(child, match));
  return found;
}

/** The text of an element and its descendants. */
export function textOf(element: XmlElement): string {
  return element.text + element.children.map(textOf).join('');
}
