import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  canonical,
  GENE_DOMAINS,
  GENE_NAMES,
  genomeKey,
  JPEG_LIKE,
  type Genome,
} from '../../src/generators/offline/genome.js';
import { render } from '../../src/generators/offline/render.js';
import { mulberry32 } from '../../src/random.js';
import { offlineTunables } from '../../src/generators/offline/tunables.js';

/** Issue 15: the offline genome's numeric genes are the rendered codec's TUNABLES. */

interface Entry {
  type: string;
  min: number;
  max: number;
  default: number;
}

/** The rendered literal (valid JSON as well as a Python literal), or a failed expectation. */
function tunablesOf(code: string): Record<string, Entry> {
  const literal = /^TUNABLES = (\{\n[\s\S]*?\n\})$/m.exec(code)?.[1];
  expect(literal, 'a module-level TUNABLES literal').toBeDefined();
  return JSON.parse(literal as string) as Record<string, Entry>;
}

/** Every genome that differs in the genes the tunables are made of, the rest from JPEG_LIKE. */
function tunableVariants(): Genome[] {
  const genes = ['colour', 'chromaQ', 'rounding', 'prediction', 'keyint', 'keyStep'] as const;
  let out: Genome[] = [JPEG_LIKE];
  for (const name of genes) {
    out = out.flatMap((genome) =>
      (GENE_DOMAINS[name] as readonly unknown[]).map((value) => ({ ...genome, [name]: value })),
    );
  }
  const byKey = new Map(out.map((genome) => [genomeKey(genome), canonical(genome)]));
  return [...byKey.values()];
}

function randomGenome(random: () => number): Genome {
  return Object.fromEntries(
    GENE_NAMES.map((name) => {
      const domain = GENE_DOMAINS[name] as readonly unknown[];
      return [name, domain[Math.floor(random() * domain.length)]];
    }),
  ) as unknown as Genome;
}

const random = mulberry32(2026);
const GENOMES = [...tunableVariants(), ...Array.from({ length: 300 }, () => randomGenome(random))];

describe('offline TUNABLES', () => {
  it('are within the contract for every genome: at most 8, typed, defaults inside the bounds', () => {
    expect(GENOMES.length).toBeGreaterThan(400);
    for (const genome of GENOMES) {
      const tunables = tunablesOf(render(genome));
      const names = Object.keys(tunables);
      expect(names.length).toBeGreaterThan(0);
      expect(names.length).toBeLessThanOrEqual(8);
      for (const name of names) {
        const entry = tunables[name] as Entry;
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(Object.keys(entry).sort()).toEqual(['default', 'max', 'min', 'type']);
        expect(['float', 'int']).toContain(entry.type);
        expect(entry.min).toBeLessThan(entry.max);
        expect(entry.default).toBeGreaterThanOrEqual(entry.min);
        expect(entry.default).toBeLessThanOrEqual(entry.max);
        if (entry.type === 'int') {
          for (const value of [entry.min, entry.max, entry.default]) {
            expect(Number.isInteger(value)).toBe(true);
          }
        }
      }
    }
  });

  it('default to the genome, and are exactly the names the codec reads from its params', () => {
    for (const genome of GENOMES) {
      const g = canonical(genome);
      const code = render(genome);
      const tunables = tunablesOf(code);
      const read = new Set([...code.matchAll(/params\["(\w+)"\]/g)].map((match) => match[1]));
      expect(new Set(Object.keys(tunables)), genomeKey(genome)).toEqual(read);
      expect(tunables.rounding?.default).toBe(g.rounding);
      expect(tunables.chroma_q?.default).toBe(g.colour === 'bgr' ? undefined : g.chromaQ);
      expect(tunables.keyint?.default).toBe(g.prediction === 'inter' ? g.keyint : undefined);
      expect(tunables.key_step?.default).toBe(g.prediction === 'inter' ? g.keyStep : undefined);
      // The renderer's own list and the rendered literal agree entry for entry.
      const listed = Object.fromEntries(offlineTunables(g).map((t) => [t.name, t.entry]));
      expect(tunables).toEqual(listed);
    }
  });

  it('the gene ranges are the bounds; an intra BGR codec tunes its rounding only', () => {
    const inter = tunablesOf(render({ ...JPEG_LIKE, prediction: 'inter', keyint: 16 }));
    expect(inter).toEqual({
      chroma_q: { type: 'float', min: 1, max: 3, default: 1.5 },
      rounding: { type: 'float', min: 0.2, max: 0.5, default: 0.5 },
      rounding_inter: { type: 'float', min: 0.12, max: 0.3, default: 0.3 },
      keyint: { type: 'int', min: 4, max: 32, default: 16 },
      key_step: { type: 'float', min: 0.5, max: 1, default: 1 },
    });
    expect(Object.keys(tunablesOf(render({ ...JPEG_LIKE, colour: 'bgr' })))).toEqual(['rounding']);
  });

  it('Python reads the literal as declared: floats as float, ints as int', () => {
    const sample = GENOMES.slice(0, 60).map((genome) => render(genome));
    const script = `
import ast, json, sys
out = []
for source in json.load(sys.stdin):
    [node] = [n for n in ast.parse(source).body if isinstance(n, ast.Assign)
              and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "TUNABLES"]
    value = ast.literal_eval(node.value)
    out.append({name: [type(v).__name__ for v in (e["min"], e["max"], e["default"])] + [e["type"]] for name, e in value.items()})
print(json.dumps(out))
`;
    const types = JSON.parse(
      execFileSync('python3', ['-c', script], { input: JSON.stringify(sample), encoding: 'utf8' }),
    ) as Array<Record<string, string[]>>;
    expect(types).toHaveLength(sample.length);
    for (const perEntry of types) {
      for (const [pythonMin, pythonMax, pythonDefault, declared] of Object.values(perEntry)) {
        const expected = declared === 'int' ? 'int' : 'float';
        expect([pythonMin, pythonMax, pythonDefault]).toEqual([expected, expected, expected]);
      }
    }
  });
});
