"""Offline generator building block: _pack and _unpack by run-length coding, then DEFLATE.
"""
import numpy as np

from codec import _deserialise, _serialise, _squeeze, _stretch, _varint_bytes, _varint_read


# block: pack
def _pack(levels, side, shapes, intra, state):
    raw = _serialise(levels, side, intra)
    return _varint_bytes([len(raw)]) + _squeeze(np.frombuffer(raw, np.uint8).reshape(1, -1))


def _unpack(data, shapes, side_count, intra, state):
    length, offset = _varint_read(data, 0, 1)
    raw = _stretch(data[offset:], 1, int(length[0])).tobytes()
    return _deserialise(raw, shapes, side_count, intra)
