"""Offline generator building block (colour.ts): colour planes as BT.601 YCbCr.

Defines SUBSAMPLE, LOW, HIGH, _split(frame) and _merge(planes, height, width).
"""
import numpy as np

from codec import FX, FY, _down, _up


# block: colour
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
