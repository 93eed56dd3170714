"""Offline generator building block: _pack and _unpack by levels regrouped by frequency as a lossless image (png_freq, webp_freq).
"""
import numpy as np

from codec import BLOCK, _image_bytes, _image_values, _signed, _unsigned


# block: pack
def _pack(levels, side, shapes, intra, state):
    values = [_unsigned(side)]
    for level, shape in zip(levels, shapes):
        grid = level.reshape(shape[2] // BLOCK, shape[3] // BLOCK, BLOCK, BLOCK).transpose(2, 0, 3, 1)
        values.append(_unsigned(grid))
    return _image_bytes(np.concatenate(values), shapes[0][3])


def _unpack(data, shapes, side_count, intra, state):
    sizes = [shape[2] * shape[3] for shape in shapes]
    values = _signed(_image_values(data, side_count + sum(sizes), shapes[0][3]))
    levels, start = [], side_count
    for size, shape in zip(sizes, shapes):
        by, bx = shape[2] // BLOCK, shape[3] // BLOCK
        grid = values[start:start + size].reshape(BLOCK, by, BLOCK, bx).transpose(1, 3, 0, 2)
        levels.append(grid.reshape(-1, BLOCK, BLOCK).astype(np.int32))
        start += size
    return levels, values[:side_count]
