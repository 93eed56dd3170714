"""Offline generator building block: one motion vector per frame.

The renderer writes SEARCH, MV_SCALE and REFINE, then motion.py, above the block.
"""
import numpy as np

from codec import MV_SCALE, REFINE, SUBSAMPLE, _global_search, _warp


# block: motion
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
