/**
 * Python building blocks for the entropy stage: how quantised levels and motion side ints become
 * bytes, with only the allowed modules (numpy for scans, runs and variable-length integers;
 * cv2's lossless PNG (DEFLATE) or lossless WebP as back ends, their container headers dropped
 * and rebuilt by the decoder because every counted byte matters; a pure-Python range coder).
 * Each returns source that defines _pack(levels, side, shapes, intra) -> bytes and
 * _unpack(data, shapes, side_count, intra) -> (levels, side). The code lives in
 * assets/offline/entropy*.py, png.py, webp.py and arith.py (python-blocks.ts).
 */
import type { Genome } from './genome.js';
import { block } from './python-blocks.js';

const pack = (file: string): string => block(file, 'pack');
const shared = (name: 'signed' | 'varint' | 'scan' | 'runs' | 'image'): string =>
  block('entropy.py', name);

/** Source of the entropy stage for this genome: helpers plus _pack and _unpack. */
export function entropyBlock(genome: Pick<Genome, 'entropy'>): string {
  switch (genome.entropy) {
    case 'varint':
      return `
# Entropy: per block the length of its zig-zag scan up to the last non-zero level, then every
# level of that prefix (zeros included) as a zig-zag-signed variable-length integer.
${shared('signed')}${shared('varint')}${shared('scan')}
${pack('entropy_varint.py')}`;
    case 'rle':
      return `
# Entropy: zig-zag scan, run-length of zeros, variable-length integers (counts, runs, levels).
${shared('signed')}${shared('varint')}${shared('scan')}${shared('runs')}
${pack('entropy_rle.py')}`;
    case 'rle_deflate':
      return `
# Entropy: zig-zag scan, run-length of zeros, variable-length integers, then DEFLATE (lossless PNG).
${shared('signed')}${shared('varint')}${shared('scan')}${shared('runs')}${block('png.py', 'png')}
${pack('entropy_rle_deflate.py')}`;
    case 'png_freq':
    case 'webp_freq':
      return `
# Entropy: levels regrouped by frequency (each frequency a sub-image, DC first), as a lossless
# ${genome.entropy === 'png_freq' ? 'PNG (prediction filters + DEFLATE)' : 'WebP (VP8L: spatial prediction + LZ77 + Huffman)'} image.
${shared('signed')}${genome.entropy === 'png_freq' ? block('png.py', 'png') : block('webp.py', 'webp')}${shared('image')}
${pack('entropy_image.py')}`;
    case 'arith':
      return `
# Entropy: context-adaptive binary range coding (pure Python): per block a coded flag (context:
# coded neighbours), the last non-zero position (adaptive bit tree), significance by frequency
# band and previous significance, magnitudes by band (>1, >2, then adaptive Elias-gamma), raw
# signs; motion vectors as differences from the previous vector. Models adapt across frames.
${shared('signed')}${shared('scan')}${block('arith.py', 'range_coder')}${block('arith.py', 'context_coding')}
${pack('entropy_arith.py')}`;
    case 'png_block':
      return `
# Entropy: one zig-zag row per block, all rows as a lossless PNG (its Up filter predicts each
# frequency from the block before; DEFLATE codes the rest).
${shared('signed')}${shared('scan')}${block('png.py', 'png')}${shared('image')}
${pack('entropy_png_block.py')}`;
  }
}

/** Whether the entropy stage needs the struct module. */
export function needsStruct(genome: Pick<Genome, 'entropy'>): boolean {
  return genome.entropy !== 'varint' && genome.entropy !== 'rle';
}
