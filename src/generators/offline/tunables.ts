/**
 * The offline genome's numeric genes as the contract's TUNABLES (issue 15): the search picks the
 * structure and a default for every constant; the tuner may then move the constants within the
 * genes' own ranges, through `config['params']`. Only genes that matter for the genome become
 * tunables (the canonical form decides), so an intra codec exposes no keyframe constants. Pure.
 */
import { GENE_DOMAINS, type GeneName, type Genome } from './genome.js';

/** How much smaller the rounding offset is on inter frames (residuals are cheaper left at zero). */
const INTER_ROUNDING_FACTOR = 0.6;

/** A numeric entry of the contract's TUNABLES (the offline genome has no `choice` genes). */
export interface OfflineTunable {
  readonly type: 'float' | 'int';
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** A tunable's name, the gene it comes from, and its entry. */
export interface NamedTunable {
  readonly name: string;
  readonly gene: GeneName;
  readonly entry: OfflineTunable;
}

function range(gene: 'chromaQ' | 'rounding' | 'keyint' | 'keyStep'): {
  min: number;
  max: number;
} {
  const domain: readonly number[] = GENE_DOMAINS[gene];
  return { min: Math.min(...domain), max: Math.max(...domain) };
}

/** Two decimals, as the rounding offset of inter frames has always been written. */
function interRounding(rounding: number): number {
  return Math.round(rounding * INTER_ROUNDING_FACTOR * 100) / 100;
}

/** The genes the tunables are made of, and the two that decide which of them matter. */
export type TunableGenes = Pick<
  Genome,
  'colour' | 'chromaQ' | 'rounding' | 'prediction' | 'keyint' | 'keyStep'
>;

/**
 * The genome's tunables, in the order they are written (at most 5; the contract allows 8). Like
 * canonical(): a BGR codec has no chroma step, an intra codec no keyframe constants.
 */
export function offlineTunables(genome: TunableGenes): NamedTunable[] {
  const float = (gene: 'chromaQ' | 'rounding' | 'keyStep', value: number): OfflineTunable => ({
    type: 'float',
    ...range(gene),
    default: value,
  });
  const out: NamedTunable[] = [];
  if (genome.colour !== 'bgr') {
    out.push({ name: 'chroma_q', gene: 'chromaQ', entry: float('chromaQ', genome.chromaQ) });
  }
  out.push({ name: 'rounding', gene: 'rounding', entry: float('rounding', genome.rounding) });
  if (genome.prediction === 'inter') {
    const rounding = range('rounding');
    out.push(
      {
        name: 'rounding_inter',
        gene: 'rounding',
        entry: {
          type: 'float',
          min: interRounding(rounding.min),
          max: interRounding(rounding.max),
          default: interRounding(genome.rounding),
        },
      },
      {
        name: 'keyint',
        gene: 'keyint',
        entry: { type: 'int', ...range('keyint'), default: genome.keyint },
      },
      { name: 'key_step', gene: 'keyStep', entry: float('keyStep', genome.keyStep) },
    );
  }
  return out;
}

/** A Python literal of the number: floats always with a point, so the type reads as declared. */
function pythonNumber(value: number, type: OfflineTunable['type']): string {
  if (!Number.isFinite(value)) throw new Error(`tunable value ${value} is not finite`);
  if (type === 'int') return String(value);
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/**
 * The `TUNABLES = {...}` literal, one entry a line. Python reads it with ast.literal_eval; it is
 * also valid JSON after `TUNABLES = `, which the tests use.
 */
export function tunablesLiteral(tunables: readonly NamedTunable[]): string {
  const lines = tunables.map(({ name, entry }) => {
    const n = (value: number): string => pythonNumber(value, entry.type);
    return (
      `    "${name}": {"type": "${entry.type}", "min": ${n(entry.min)}, ` +
      `"max": ${n(entry.max)}, "default": ${n(entry.default)}}`
    );
  });
  return `TUNABLES = {\n${lines.join(',\n')}\n}`;
}
