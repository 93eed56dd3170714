"""Offline generator building block: the quantiser (three frequency weightings, then _steps and _quantise).

WEIGHTS is assigned once per weighting block; a codec holds exactly one of them.
"""
import cv2
import numpy as np

from codec import BLOCK


# block: weights_flat
# Quantiser: one step for every frequency (what minimises squared error).
WEIGHTS = np.ones((BLOCK, BLOCK), np.float32)


# block: weights_mild
# Quantiser: the step grows gently with frequency (x1.75 at the highest).
_FREQUENCY = np.add.outer(np.arange(BLOCK), np.arange(BLOCK)).astype(np.float32)
WEIGHTS = 1.0 + 0.75 * _FREQUENCY / (2 * BLOCK - 2)


# block: weights_jpeg
# Quantiser: the JPEG luminance table (Annex K), normalised to 1 at DC, resized to the block.
JPEG_TABLE = np.array([16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], np.float32).reshape(8, 8) / 16.0
WEIGHTS = cv2.resize(JPEG_TABLE, (BLOCK, BLOCK), interpolation=cv2.INTER_LINEAR)


# block: steps
def _steps(step, index, params):
    """Plane `index`'s steps: chroma planes (1 and 2) at params['chroma_q'] times the luma step."""
    return WEIGHTS * np.float32(step * (params["chroma_q"] if index else 1.0))


# block: quantise
def _quantise(coefficients, steps, rounding):
    magnitude = np.floor(np.abs(coefficients) / steps + rounding)
    return (np.sign(coefficients) * magnitude).astype(np.int32)
