"""Offline generator building block: motion compensation (_warp) and the whole-frame search.
"""
import cv2
import numpy as np

from codec import SEARCH


# block: warp
def _warp(ref, dy, dx):
    """ref displaced by (dy, dx) pixels (scalars or per-pixel maps), bilinear, edges repeated."""
    rows, cols = ref.shape
    grid_y, grid_x = np.indices((rows, cols), dtype=np.float32)
    map_x = (grid_x + dx).astype(np.float32)
    map_y = (grid_y + dy).astype(np.float32)
    return cv2.remap(ref, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# block: global_search
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
