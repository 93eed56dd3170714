/**
 * Python building blocks for the picture side of a codec: colour planes, chroma resampling,
 * block transforms, quantiser weights and deblocking. Each function returns Python source that
 * defines a fixed set of names the skeleton (render.ts) calls; the code itself lives in
 * assets/offline/*.py (python-blocks.ts), the genome-dependent constants are written here.
 */
import type { Genome } from './genome.js';
import { block, blockText } from './python-blocks.js';

/** Defines LOW, HIGH, SUBSAMPLE (after FY/FX), _split(frame) and _merge(planes, height, width). */
export function colourBlock(genome: Pick<Genome, 'colour'>): string {
  return block(`colour_${genome.colour}.py`, 'colour');
}

/** Defines FY, FX, _down(plane) and _up(plane, height, width). */
export function chromaBlock(genome: Pick<Genome, 'colour' | 'chroma'>): string {
  if (genome.colour === 'bgr') return '';
  const [fy, fx] = genome.chroma === '420' ? [2, 2] : genome.chroma === '422' ? [1, 2] : [1, 1];
  if (fy === 1 && fx === 1) return block('chroma_full.py', 'chroma');
  return `
# Chroma: ${genome.chroma === '420' ? '4:2:0 (half width, half height)' : '4:2:2 (half width)'}; area-averaged down, bilinear up.
FY, FX = ${fy}, ${fx}

${block('chroma_resampled.py', 'chroma')}`;
}

export function blockSize(genome: Pick<Genome, 'transform'>): number {
  switch (genome.transform) {
    case 'dct4':
      return 4;
    case 'dct16':
      return 16;
    case 'none':
    case 'dct8':
      return 8;
  }
}

/** Defines _to_blocks, _from_blocks, _forward and _inverse over (blocks, BLOCK, BLOCK) arrays. */
export function transformBlock(genome: Pick<Genome, 'transform'>): string {
  const tiling = block('transform.py', 'tiling');
  if (genome.transform === 'none') {
    return `
# Transform: none; the quantiser works on pixels (or residuals), tiled in blocks for the scan.
${tiling}
${block('transform_none.py', 'identity')}`;
  }
  return `
# Transform: orthonormal ${blockSize(genome)}x${blockSize(genome)} DCT-II, every block at once: cv2.dct over rows, then columns.
${tiling}
${block('transform.py', 'dct')}`;
}

/**
 * Defines WEIGHTS (BLOCK x BLOCK multipliers of the step), _steps(step, index, params) (the chroma
 * step is a tunable of luma/chroma codecs) and _quantise.
 */
export function quantiserBlock(genome: Pick<Genome, 'qtable' | 'colour'>): string {
  const steps = genome.colour === 'bgr' ? 'quantiser_bgr.py' : 'quantiser.py';
  return `
${blockText('quantiser.py', `weights_${genome.qtable}`)}

${block(steps, 'steps')}
${block('quantiser.py', 'quantise')}`;
}

/** Defines _deblock(plane, step): an edge filter applied in the loop by both sides. */
export function deblockBlock(genome: Pick<Genome, 'deblock'>): string {
  return genome.deblock === 'off' ? '' : block('deblock.py', 'deblock');
}
