"""Offline generator building block: subsampled chroma planes (4:2:2, 4:2:0).

The renderer writes the comment and FY, FX above the block.
"""
import cv2

FY, FX = 2, 2  # written by the renderer


# block: chroma
def _down(plane):
    rows, cols = plane.shape
    return cv2.resize(plane, (-(-cols // FX), -(-rows // FY)), interpolation=cv2.INTER_AREA)


def _up(plane, height, width):
    return cv2.resize(plane, (width, height), interpolation=cv2.INTER_LINEAR)
