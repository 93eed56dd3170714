"""Offline generator building block (colour.ts): colour planes as YCoCg.

Defines SUBSAMPLE, LOW, HIGH, _split(frame) and _merge(planes, height, width).
"""
import numpy as np

from codec import FX, FY, _down, _up


# block: colour
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
