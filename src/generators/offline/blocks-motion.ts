/**
 * Python building blocks for inter prediction: motion search on the luma plane against the
 * reconstructed reference, and motion compensation of every plane. Each returns source that
 * defines _estimate(plane, ref, step) -> side ints, _side_count(shapes) and
 * _predict(refs, side, shapes) -> prediction planes. The code lives in assets/offline/motion*.py
 * (python-blocks.ts); the genome-dependent constants are written here.
 */
import type { Genome } from './genome.js';
import { block } from './python-blocks.js';

export function motionBlockSize(genome: Pick<Genome, 'motion'>): number {
  return genome.motion === 'block8' ? 8 : 16;
}

export function motionBlock(genome: Pick<Genome, 'prediction' | 'motion' | 'subpel'>): string {
  if (genome.prediction === 'intra') return '';
  const scale = genome.subpel === 'quarter' ? 4 : genome.subpel === 'half' ? 2 : 1;
  const precision = genome.subpel === 'int' ? 'whole-pixel' : `${genome.subpel}-pel`;
  // Refinement rounds around the whole-pixel best, in units of 1/MV_SCALE pixel.
  const refine = scale === 4 ? '(2, 1)' : scale === 2 ? '(1,)' : '()';
  const search = `${block('motion.py', 'warp')}${block('motion.py', 'global_search')}`;
  switch (genome.motion) {
    case 'zero':
      return block('motion_zero.py', 'motion');
    case 'global':
      return `
# Motion: one ${precision} vector per frame (search +-SEARCH), applied to every plane.
SEARCH = 7
MV_SCALE = ${scale}
REFINE = ${refine}
${search}
${block('motion_global.py', 'motion')}`;
    case 'block16':
    case 'block8':
      return `
# Motion: one ${precision} vector per ${motionBlockSize(genome)}x${motionBlockSize(genome)} luma block, searched +-SEARCH around the
# frame's global vector, with a rate penalty that keeps the field smooth; chroma follows luma.
SEARCH = 7
MV_SCALE = ${scale}
REFINE = ${refine}
MOTION_BLOCK = ${motionBlockSize(genome)}
LAMBDA = 1.0
${search}
${block('motion_block.py', 'motion')}`;
  }
}
