"""Offline generator building block: _pack and _unpack by one zig-zag row per block, all rows as a lossless PNG.
"""
import numpy as np

from codec import BLOCK, _block_count, _image_bytes, _image_values, _levels, _rows, _signed, _unsigned


# block: pack
def _pack(levels, side, shapes, intra, state):
    values = np.concatenate((_unsigned(_rows(levels, False)), _unsigned(side)))
    return _image_bytes(values, BLOCK * BLOCK)


def _unpack(data, shapes, side_count, intra, state):
    count = _block_count(shapes) * BLOCK * BLOCK
    values = _signed(_image_values(data, count + side_count, BLOCK * BLOCK))
    return _levels(values[:count].reshape(-1, BLOCK * BLOCK), shapes, False), values[count:]
