/**
 * Python building blocks for inter prediction: motion search on the luma plane against the
 * reconstructed reference, and motion compensation of every plane. Each returns source that
 * defines _estimate(plane, ref, step) -> side ints, _side_count(shapes) and
 * _predict(refs, side, shapes) -> prediction planes. Pure.
 */
import type { Genome } from './genome.js';

export function motionBlockSize(genome: Pick<Genome, 'motion'>): number {
  return genome.motion === 'block8' ? 8 : 16;
}

const WARP = `
def _warp(ref, dy, dx):
    """ref displaced by (dy, dx) pixels (scalars or per-pixel maps), bilinear, edges repeated."""
    rows, cols = ref.shape
    grid_y, grid_x = np.indices((rows, cols), dtype=np.float32)
    map_x = (grid_x + dx).astype(np.float32)
    map_y = (grid_y + dy).astype(np.float32)
    return cv2.remap(ref, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
`;

const GLOBAL_SEARCH = `
def _global_search(plane, ref):
    """The whole-pixel displacement of the whole frame with the least absolute difference."""
    rows, cols = plane.shape
    pad = SEARCH
    big = np.pad(ref, pad, mode="edge")
    best, best_cost = (0, 0), None
    for dy in range(-SEARCH, SEARCH + 1):
        for dx in range(-SEARCH, SEARCH + 1):
            moved = big[pad + dy:pad + dy + rows, pad + dx:pad + dx + cols]
            cost = float(np.abs(plane - moved).sum()) * (1.0 + 0.001 * (abs(dy) + abs(dx)))
            if best_cost is None or cost < best_cost:
                best, best_cost = (dy, dx), cost
    return best
`;

export function motionBlock(genome: Pick<Genome, 'prediction' | 'motion' | 'subpel'>): string {
  if (genome.prediction === 'intra') return '';
  const scale = genome.subpel === 'quarter' ? 4 : genome.subpel === 'half' ? 2 : 1;
  const precision = genome.subpel === 'int' ? 'whole-pixel' : `${genome.subpel}-pel`;
  // Refinement rounds around the whole-pixel best, in units of 1/MV_SCALE pixel.
  const refine = scale === 4 ? '(2, 1)' : scale === 2 ? '(1,)' : '()';
  switch (genome.motion) {
    case 'zero':
      return `
# Motion: none; each plane is predicted by the co-located reconstructed plane.
def _estimate(plane, ref, step):
    return np.zeros(0, np.int64)


def _side_count(shapes):
    return 0


def _predict(refs, side, shapes):
    return refs
`;
    case 'global':
      return `
# Motion: one ${precision} vector per frame (search +-SEARCH), applied to every plane.
SEARCH = 7
MV_SCALE = ${scale}
REFINE = ${refine}
${WARP}${GLOBAL_SEARCH}

def _estimate(plane, ref, step):
    dy, dx = _global_search(plane, ref)
    best = (dy * MV_SCALE, dx * MV_SCALE)
    best_cost = float(np.abs(plane - _warp(ref, float(dy), float(dx))).sum())
    for size in REFINE:
        centre = best
        for ey in (-size, 0, size):
            for ex in (-size, 0, size):
                trial = (centre[0] + ey, centre[1] + ex)
                cost = float(np.abs(plane - _warp(ref, trial[0] / MV_SCALE, trial[1] / MV_SCALE)).sum())
                if cost < best_cost:
                    best, best_cost = trial, cost
    return np.array(best, np.int64)


def _side_count(shapes):
    return 2


def _predict(refs, side, shapes):
    preds = []
    for index, ref in enumerate(refs):
        fy, fx = SUBSAMPLE[index]
        preds.append(_warp(ref, side[0] / (MV_SCALE * fy), side[1] / (MV_SCALE * fx)))
    return preds
`;
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
${WARP}${GLOBAL_SEARCH}

def _block_costs(plane, moved):
    rows, cols = plane.shape
    diff = np.abs(plane - moved).reshape(rows // MOTION_BLOCK, MOTION_BLOCK, cols // MOTION_BLOCK, MOTION_BLOCK)
    return diff.sum(axis=(1, 3))


def _expand(values, fy, fx, rows, cols):
    """Per-block values as a per-pixel map of a plane subsampled by (fy, fx)."""
    full = np.repeat(np.repeat(values, MOTION_BLOCK // fy, axis=0), MOTION_BLOCK // fx, axis=1)
    full = full[:rows, :cols]
    return np.pad(full, ((0, rows - full.shape[0]), (0, cols - full.shape[1])), mode="edge")


def _field_prediction(ref, field, fy, fx):
    rows, cols = ref.shape
    dy = _expand(field[:, :, 0].astype(np.float32) / (MV_SCALE * fy), fy, fx, rows, cols)
    dx = _expand(field[:, :, 1].astype(np.float32) / (MV_SCALE * fx), fy, fx, rows, cols)
    return _warp(ref, dy, dx)


def _estimate(plane, ref, step):
    rows, cols = plane.shape
    centre = _global_search(plane, ref)
    lam = LAMBDA * step
    pad = 2 * SEARCH + 1
    big = np.pad(ref, pad, mode="edge")
    best = np.full((rows // MOTION_BLOCK, cols // MOTION_BLOCK), np.inf, np.float32)
    field = np.zeros(best.shape + (2,), np.int64)
    for dy in range(centre[0] - SEARCH, centre[0] + SEARCH + 1):
        for dx in range(centre[1] - SEARCH, centre[1] + SEARCH + 1):
            moved = big[pad + dy:pad + dy + rows, pad + dx:pad + dx + cols]
            cost = _block_costs(plane, moved) + lam * (abs(dy - centre[0]) + abs(dx - centre[1]))
            better = cost < best
            best[better] = cost[better]
            field[better] = (dy, dx)
    field *= MV_SCALE
    for size in REFINE:
        start = field.copy()
        best = _block_costs(plane, _field_prediction(ref, start, 1, 1))
        for ey in (-size, 0, size):
            for ex in (-size, 0, size):
                if ey == 0 and ex == 0:
                    continue
                trial = start + np.array((ey, ex), np.int64)
                cost = _block_costs(plane, _field_prediction(ref, trial, 1, 1)) + 0.5 * lam * size / MV_SCALE
                better = cost < best
                best[better] = cost[better]
                field[better] = trial[better]
    return field.reshape(-1)


def _side_count(shapes):
    return 2 * (shapes[0][2] // MOTION_BLOCK) * (shapes[0][3] // MOTION_BLOCK)


def _predict(refs, side, shapes):
    field = side.reshape(shapes[0][2] // MOTION_BLOCK, shapes[0][3] // MOTION_BLOCK, 2)
    return [_field_prediction(ref, field, *SUBSAMPLE[index]) for index, ref in enumerate(refs)]
`;
  }
}
