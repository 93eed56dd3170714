"""Offline generator building block: in-loop deblocking, and the reconstruction that applies it.
"""
import numpy as np

from codec import HIGH, LOW, _from_blocks, _inverse, BLOCK


# block: deblock
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


# block: reconstruct
def _reconstruct(level, steps, prediction, shape, index):
    """What the decoder sees: dequantised, inverse transformed, added to the prediction, clipped."""
    residual = _from_blocks(_inverse((level * steps).astype(np.float32)), shape[2], shape[3])
    plane = np.clip(residual + prediction, LOW[index], HIGH[index]).astype(np.float32)
    return _deblock(plane, float(steps[0, 0]))
