"""Offline generator building block: block tiling and the orthonormal DCT-II (cv2.dct).
"""
import cv2
import numpy as np

from codec import BLOCK


# block: tiling
def _to_blocks(plane):
    rows, cols = plane.shape
    tiles = plane.reshape(rows // BLOCK, BLOCK, cols // BLOCK, BLOCK).swapaxes(1, 2)
    return tiles.reshape(-1, BLOCK, BLOCK)


def _from_blocks(blocks, rows, cols):
    tiles = blocks.reshape(rows // BLOCK, cols // BLOCK, BLOCK, BLOCK).swapaxes(1, 2)
    return tiles.reshape(rows, cols)


# block: dct
def _dct2(blocks, flags):
    count = blocks.shape[0]
    rows = cv2.dct(np.ascontiguousarray(blocks, dtype=np.float32).reshape(-1, BLOCK), flags=flags)
    turned = np.ascontiguousarray(rows.reshape(count, BLOCK, BLOCK).swapaxes(1, 2))
    columns = cv2.dct(turned.reshape(-1, BLOCK), flags=flags)
    return columns.reshape(count, BLOCK, BLOCK).swapaxes(1, 2)


def _forward(blocks):
    return _dct2(blocks, cv2.DCT_ROWS)


def _inverse(coefficients):
    return _dct2(coefficients, cv2.DCT_ROWS | cv2.DCT_INVERSE)
