"""Offline generator building block: one motion vector per block, around the global vector.

The renderer writes SEARCH, MV_SCALE, REFINE, MOTION_BLOCK and LAMBDA, then motion.py, above the block.
"""
import numpy as np

from codec import LAMBDA, MOTION_BLOCK, MV_SCALE, REFINE, SEARCH, SUBSAMPLE, _global_search, _warp


# block: motion
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
