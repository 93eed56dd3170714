"""Offline generator building block: _pack and _unpack by varint prefixes of the zig-zag scan.
"""
import numpy as np

from codec import BLOCK, _block_count, _levels, _rows, _signed, _unsigned, _varint_bytes, _varint_read


# block: pack
def _pack(levels, side, shapes, intra, state):
    rows = _rows(levels, intra)
    nonzero = rows != 0
    lengths = np.where(nonzero.any(axis=1), rows.shape[1] - np.argmax(nonzero[:, ::-1], axis=1), 0)
    prefix = rows[np.arange(rows.shape[1])[None, :] < lengths[:, None]]
    return _varint_bytes(_unsigned(side)) + _varint_bytes(lengths) + _varint_bytes(_unsigned(prefix))


def _unpack(data, shapes, side_count, intra, state):
    side, offset = _varint_read(data, 0, side_count)
    lengths, offset = _varint_read(data, offset, _block_count(shapes))
    values, _ = _varint_read(data, offset, int(lengths.sum()))
    rows = np.zeros((lengths.size, BLOCK * BLOCK), np.int64)
    rows[np.arange(BLOCK * BLOCK)[None, :] < lengths[:, None]] = _signed(values)
    return _levels(rows, shapes, intra), _signed(side)
