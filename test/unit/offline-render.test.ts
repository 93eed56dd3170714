import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  canonical,
  GENE_DOMAINS,
  GENE_NAMES,
  genomeKey,
  JPEG_LIKE,
  type GeneName,
  type Genome,
} from '../../src/generators/offline/genome.js';
import {
  render,
  renderHeader,
  renderSections,
  SECTIONS,
  unreadGenes,
} from '../../src/generators/offline/render.js';
import { mulberry32 } from '../../src/random.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the repository's own validator (the one the sandbox runs) over many sources at once. */
function validateAll(sources: readonly string[]): Array<{ ok: boolean; findings: unknown[] }> {
  const script = `
import json, sys
sys.path.insert(0, 'sandbox-image/harness')
import validator
contract = validator.load_contract()
sources = json.load(sys.stdin)
print(json.dumps([validator.analyse(source.encode('utf-8'), contract) for source in sources]))
`;
  const out = execFileSync('python3', ['-c', script], {
    cwd: ROOT,
    input: JSON.stringify(sources),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return JSON.parse(out) as Array<{ ok: boolean; findings: unknown[] }>;
}

function combinations(genes: readonly GeneName[]): Array<Partial<Genome>> {
  let out: Array<Record<string, unknown>> = [{}];
  for (const name of genes) {
    out = out.flatMap((partial) =>
      (GENE_DOMAINS[name] as readonly unknown[]).map((value) => ({ ...partial, [name]: value })),
    );
  }
  return out;
}

/**
 * Genomes such that every variant of every section appears in at least one of them: for each
 * section, every combination of the genes it reads, the other genes from JPEG_LIKE.
 */
function coveringGenomes(): Genome[] {
  const byKey = new Map<string, Genome>();
  for (const section of SECTIONS) {
    for (const combination of combinations(section.genes)) {
      const genome = canonical({ ...JPEG_LIKE, ...combination });
      byKey.set(genomeKey(genome), genome);
    }
  }
  return [...byKey.values()];
}

function randomGenome(random: () => number): Genome {
  return canonical(
    Object.fromEntries(
      GENE_NAMES.map((name) => {
        const domain = GENE_DOMAINS[name] as readonly unknown[];
        return [name, domain[Math.floor(random() * domain.length)]];
      }),
    ) as unknown as Genome,
  );
}

describe('render', () => {
  const covering = coveringGenomes();
  const coveredSections = new Set(covering.flatMap((g) => renderSections(g).map((s) => s.text)));

  it('every section variant of the space passes the validator and the contract', () => {
    // The validator's checks are per statement and per name (imports, calls, attributes,
    // required functions): a file passes iff its sections do, given the skeleton. So validating
    // a set of genomes that contains every section variant validates every genome.
    expect(covering.length).toBeGreaterThan(20);
    const reports = validateAll(covering.map((genome) => render(genome)));
    const failures = reports.flatMap((report, index) =>
      report.ok ? [] : [{ genome: genomeKey(covering[index] as Genome), report }],
    );
    expect(failures).toEqual([]);
  });

  it('any genome is made only of covered sections (so the covering argument holds)', () => {
    const random = mulberry32(12345);
    for (let i = 0; i < 2000; i++) {
      const genome = randomGenome(random);
      for (const { text } of renderSections(genome)) expect(coveredSections.has(text)).toBe(true);
    }
  });

  // One python3 process validates 150 files: about 4 s on a loaded 2-core host.
  it('a random sample of whole files passes the validator too', { timeout: 30_000 }, () => {
    const random = mulberry32(99);
    const sample = Array.from({ length: 150 }, () => render(randomGenome(random)));
    const reports = validateAll(sample);
    expect(reports.filter((report) => !report.ok)).toEqual([]);
  });

  it('a section sees only the genes it declares', () => {
    for (const section of SECTIONS) {
      for (const combination of combinations(section.genes)) {
        // Given only its genes, a section renders as it does inside any full genome.
        expect(() => section.render(combination)).not.toThrow();
      }
    }
    expect(unreadGenes()).toEqual([]);
  });

  it('is deterministic and writes the genome as the origin line the loop reads back', () => {
    const genome: Genome = { ...JPEG_LIKE, prediction: 'inter', motion: 'block8' };
    const code = render(genome);
    expect(render({ ...genome })).toBe(code);
    const origin = /^# origin: (\{.*\})$/m.exec(code)?.[1];
    expect(origin).toBeDefined();
    expect(JSON.parse(origin as string)).toEqual({
      genome: JSON.parse(genomeKey(genome)) as unknown,
    });
    for (const line of renderHeader(genome).split('\n')) expect(line.startsWith('#')).toBe(true);
    expect(code).toContain('def compress_video_frame(frame, config):');
    expect(code).toContain('def decompress_video_frame(compressed, metadata, config):');
  });

  it('genomes that differ render different code; equivalent genomes render the same', () => {
    const intra = render(JPEG_LIKE);
    expect(render({ ...JPEG_LIKE, motion: 'block16' })).toBe(intra);
    expect(render({ ...JPEG_LIKE, entropy: 'arith' })).not.toBe(intra);
    expect(render({ ...JPEG_LIKE, prediction: 'inter' })).not.toBe(intra);
  });

  it('uses no randomness and no modules outside the contract', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 50; i++) {
      const code = render(randomGenome(random));
      expect(code).not.toMatch(/\b(random|time|os|zlib|datetime)\./);
      const imports = [...code.matchAll(/^import (\w+)/gm)].map((m) => m[1]);
      for (const name of imports) expect(['cv2', 'numpy', 'struct']).toContain(name);
    }
  });
});
