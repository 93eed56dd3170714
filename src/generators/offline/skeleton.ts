/**
 * The fixed Python skeleton every offline codec shares: the quality → step mapping, plane
 * geometry, reconstruction, and the two contract functions (intra-only or inter). The building
 * blocks it calls are defined by the other sections (render.ts); the Python is in
 * assets/offline/skeleton.py, intra.py and inter.py (python-blocks.ts).
 */
import { block } from './python-blocks.js';
import { offlineTunables, tunablesLiteral, type TunableGenes } from './tunables.js';

/**
 * The quantiser step at quality q is 2^(STEP_LOG2_MAX − STEP_LOG2_RANGE·q): it halves every
 * 1/STEP_LOG2_RANGE of quality, so more quality always means more bits. The range puts the five
 * sweep points between about 25 and 43 dB luma PSNR on natural content.
 */
export const STEP_LOG2_MAX = 6.8;
export const STEP_LOG2_RANGE = 4.6;

export function stepBlock(): string {
  return `
STEP_LOG2_MAX = ${STEP_LOG2_MAX}
STEP_LOG2_RANGE = ${STEP_LOG2_RANGE}

${block('skeleton.py', 'step')}`;
}

/** The genome's numeric genes as the contract's TUNABLES, and _params(config) that reads them. */
export function tunablesBlock(genome: TunableGenes): string {
  return `
# Tunable constants (the contract's TUNABLES): the defaults are this genome's genes; a tuner may
# pass other values within the bounds in config['params'].
${tunablesLiteral(offlineTunables(genome))}

${block('skeleton.py', 'params')}`;
}

export function geometryBlock(): string {
  return block('skeleton.py', 'geometry');
}

export function reconstructBlock(deblock: boolean): string {
  return block(deblock ? 'deblock.py' : 'skeleton.py', 'reconstruct');
}

export function skeletonBlock(prediction: 'intra' | 'inter'): string {
  return block(`${prediction}.py`, 'codec');
}
