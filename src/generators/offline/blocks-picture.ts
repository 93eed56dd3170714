/**
 * Python building blocks for the picture side of a codec: colour planes, chroma resampling,
 * block transforms, quantiser weights and deblocking. Each function returns Python source that
 * defines a fixed set of names the skeleton (render.ts) calls. Pure.
 */
import type { Genome } from './genome.js';

/** Defines LOW, HIGH, SUBSAMPLE (after FY/FX), _split(frame) and _merge(planes, height, width). */
export function colourBlock(genome: Pick<Genome, 'colour'>): string {
  switch (genome.colour) {
    case 'bgr':
      return `
# Colour: B, G, R planes coded as they are, green first (it carries most of the luma).
SUBSAMPLE = ((1, 1), (1, 1), (1, 1))
LOW = (-128.0, -128.0, -128.0)
HIGH = (127.0, 127.0, 127.0)


def _split(frame):
    planes = frame.astype(np.float32) - 128.0
    return [planes[:, :, 1], planes[:, :, 0], planes[:, :, 2]]


def _merge(planes, height, width):
    bgr = np.dstack((planes[1], planes[0], planes[2])) + 128.0
    return np.clip(np.rint(bgr), 0, 255).astype(np.uint8)
`;
    case 'ycbcr':
      return `
# Colour: BT.601 full-range Y, Cb, Cr (the metric's own luma), centred on zero.
SUBSAMPLE = ((1, 1), (FY, FX), (FY, FX))
LOW = (-128.0, -128.0, -128.0)
HIGH = (127.0, 128.0, 128.0)


def _split(frame):
    pixels = frame.astype(np.float32)
    b, g, r = pixels[:, :, 0], pixels[:, :, 1], pixels[:, :, 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return [y - 128.0, _down((b - y) / 1.772), _down((r - y) / 1.402)]


def _merge(planes, height, width):
    y = planes[0] + 128.0
    cb = _up(planes[1], height, width)
    cr = _up(planes[2], height, width)
    b = y + 1.772 * cb
    g = y - (0.114 * 1.772 / 0.587) * cb - (0.299 * 1.402 / 0.587) * cr
    r = y + 1.402 * cr
    return np.clip(np.rint(np.dstack((b, g, r))), 0, 255).astype(np.uint8)
`;
    case 'ycocg':
      return `
# Colour: YCoCg (a lifting-friendly luma/chroma split), centred on zero.
SUBSAMPLE = ((1, 1), (FY, FX), (FY, FX))
LOW = (-128.0, -128.0, -128.0)
HIGH = (127.0, 128.0, 128.0)


def _split(frame):
    pixels = frame.astype(np.float32)
    b, g, r = pixels[:, :, 0], pixels[:, :, 1], pixels[:, :, 2]
    y = 0.25 * r + 0.5 * g + 0.25 * b
    return [y - 128.0, _down(0.5 * (r - b)), _down(0.5 * g - 0.25 * (r + b))]


def _merge(planes, height, width):
    y = planes[0] + 128.0
    co = _up(planes[1], height, width)
    cg = _up(planes[2], height, width)
    base = y - cg
    return np.clip(np.rint(np.dstack((base - co, y + cg, base + co))), 0, 255).astype(np.uint8)
`;
  }
}

/** Defines FY, FX, _down(plane) and _up(plane, height, width). */
export function chromaBlock(genome: Pick<Genome, 'colour' | 'chroma'>): string {
  if (genome.colour === 'bgr') return '';
  const [fy, fx] = genome.chroma === '420' ? [2, 2] : genome.chroma === '422' ? [1, 2] : [1, 1];
  if (fy === 1 && fx === 1) {
    return `
# Chroma: full resolution (4:4:4).
FY, FX = 1, 1


def _down(plane):
    return plane


def _up(plane, height, width):
    return plane
`;
  }
  return `
# Chroma: ${genome.chroma === '420' ? '4:2:0 (half width, half height)' : '4:2:2 (half width)'}; area-averaged down, bilinear up.
FY, FX = ${fy}, ${fx}


def _down(plane):
    rows, cols = plane.shape
    return cv2.resize(plane, (-(-cols // FX), -(-rows // FY)), interpolation=cv2.INTER_AREA)


def _up(plane, height, width):
    return cv2.resize(plane, (width, height), interpolation=cv2.INTER_LINEAR)
`;
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
  const tiling = `
def _to_blocks(plane):
    rows, cols = plane.shape
    tiles = plane.reshape(rows // BLOCK, BLOCK, cols // BLOCK, BLOCK).swapaxes(1, 2)
    return tiles.reshape(-1, BLOCK, BLOCK)


def _from_blocks(blocks, rows, cols):
    tiles = blocks.reshape(rows // BLOCK, cols // BLOCK, BLOCK, BLOCK).swapaxes(1, 2)
    return tiles.reshape(rows, cols)
`;
  if (genome.transform === 'none') {
    return `
# Transform: none; the quantiser works on pixels (or residuals), tiled in blocks for the scan.
${tiling}

def _forward(blocks):
    return blocks.astype(np.float32)


def _inverse(coefficients):
    return coefficients.astype(np.float32)
`;
  }
  return `
# Transform: orthonormal ${blockSize(genome)}x${blockSize(genome)} DCT-II, every block at once: cv2.dct over rows, then columns.
${tiling}

def _dct2(blocks, flags):
    count = blocks.shape[0]
    rows = cv2.dct(np.ascontiguousarray(blocks, dtype=np.float32).reshape(-1, BLOCK), flags=flags)
    turned = np.ascontiguousarray(rows.reshape(count, BLOCK, BLOCK).swapaxes(1, 2))
    columns = cv2.dct(turned.reshape(-1, BLOCK), flags=flags)
    return columns.reshape(count, BLOCK, BLOCK).swapaxes(1, 2)


def _forward(blocks):
    return _dct2(blocks, cv2.DCT_ROWS)


def _inverse(coefficients):
    return _dct2(coefficients, cv2.DCT_ROWS | cv2.DCT_INVERSE)
`;
}

const JPEG_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** Defines WEIGHTS (BLOCK x BLOCK multipliers of the step) and _steps(step, index). */
export function quantiserBlock(genome: Pick<Genome, 'qtable'>): string {
  let weights: string;
  switch (genome.qtable) {
    case 'flat':
      weights = `# Quantiser: one step for every frequency (what minimises squared error).
WEIGHTS = np.ones((BLOCK, BLOCK), np.float32)`;
      break;
    case 'mild':
      weights = `# Quantiser: the step grows gently with frequency (x1.75 at the highest).
_FREQUENCY = np.add.outer(np.arange(BLOCK), np.arange(BLOCK)).astype(np.float32)
WEIGHTS = 1.0 + 0.75 * _FREQUENCY / (2 * BLOCK - 2)`;
      break;
    case 'jpeg':
      weights = `# Quantiser: the JPEG luminance table (Annex K), normalised to 1 at DC, resized to the block.
JPEG_TABLE = np.array([${JPEG_LUMA.join(', ')}], np.float32).reshape(8, 8) / 16.0
WEIGHTS = cv2.resize(JPEG_TABLE, (BLOCK, BLOCK), interpolation=cv2.INTER_LINEAR)`;
      break;
  }
  return `
${weights}


def _steps(step, index):
    return WEIGHTS * np.float32(step * (CHROMA_Q if index else 1.0))


def _quantise(coefficients, steps, rounding):
    magnitude = np.floor(np.abs(coefficients) / steps + rounding)
    return (np.sign(coefficients) * magnitude).astype(np.int32)
`;
}

/** Defines _deblock(plane, step): an edge filter applied in the loop by both sides. */
export function deblockBlock(genome: Pick<Genome, 'deblock'>): string {
  if (genome.deblock === 'off') return '';
  return `
# Deblocking: smooth small steps across block edges (larger ones are real edges), in the loop.
def _deblock(plane, step):
    out = plane.copy()
    limit = 1.5 * step + 2.0
    for view in (out, out.T):
        p1, p0 = view[:, BLOCK - 2:-2:BLOCK], view[:, BLOCK - 1:-1:BLOCK]
        q0, q1 = view[:, BLOCK::BLOCK], view[:, BLOCK + 1::BLOCK]
        edge = q0 - p0
        flat = (np.abs(edge) < limit) & (np.abs(p1 - p0) < 0.5 * limit) & (np.abs(q1 - q0) < 0.5 * limit)
        delta = np.where(flat, np.clip((4.0 * edge + (p1 - q1)) / 8.0, -0.25 * limit, 0.25 * limit), 0.0)
        view[:, BLOCK - 1:-1:BLOCK] = p0 + delta
        view[:, BLOCK::BLOCK] = q0 - delta
    return out
`;
}
