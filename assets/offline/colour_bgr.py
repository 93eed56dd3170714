"""Offline generator building block (colour.ts): colour planes as B, G, R planes.

Defines SUBSAMPLE, LOW, HIGH, _split(frame) and _merge(planes, height, width).
"""
import numpy as np


# block: colour
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
