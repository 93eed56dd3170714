"""Offline generator building block: the quantiser step of a quality, plane geometry and reconstruction.
"""
import numpy as np

from codec import ALIGN, BLOCK, HIGH, LOW, SUBSAMPLE, _from_blocks, _inverse

STEP_LOG2_MAX = STEP_LOG2_RANGE = 1.0  # written by the renderer
TUNABLES = {}  # written by the renderer


# block: params
def _params(config):
    """The tunable constants: the tuner's values in config['params'], else the TUNABLES defaults."""
    given = config.get("params") or {}
    return {
        name: (int if entry["type"] == "int" else float)(given.get(name, entry["default"]))
        for name, entry in TUNABLES.items()
    }


# block: step
def _step(config):
    """Quantiser step: quality 0 -> 2^STEP_LOG2_MAX, every +1/STEP_LOG2_RANGE of quality halves it."""
    quality = min(max(float(config["quality"]), 0.0), 1.0)
    return float(2.0 ** (STEP_LOG2_MAX - STEP_LOG2_RANGE * quality))


# block: geometry
def _geometry(height, width):
    """Per plane: (rows, cols) as coded, then (rows, cols) padded to whole blocks."""
    shapes = []
    for index, (fy, fx) in enumerate(SUBSAMPLE):
        rows, cols = -(-height // fy), -(-width // fx)
        align = ALIGN if index == 0 else BLOCK
        shapes.append((rows, cols, -(-rows // align) * align, -(-cols // align) * align))
    return shapes


def _pad(plane, shape):
    rows, cols, padded_rows, padded_cols = shape
    return np.pad(plane, ((0, padded_rows - rows), (0, padded_cols - cols)), mode="edge")


# block: reconstruct
def _reconstruct(level, steps, prediction, shape, index):
    """What the decoder sees: dequantised, inverse transformed, added to the prediction, clipped."""
    residual = _from_blocks(_inverse((level * steps).astype(np.float32)), shape[2], shape[3])
    plane = np.clip(residual + prediction, LOW[index], HIGH[index]).astype(np.float32)
    return plane
