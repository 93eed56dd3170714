"""Offline generator building block: _pack and _unpack by run-length coding.
"""
from codec import _deserialise, _serialise


# block: pack
def _pack(levels, side, shapes, intra, state):
    return _serialise(levels, side, intra)


def _unpack(data, shapes, side_count, intra, state):
    return _deserialise(data, shapes, side_count, intra)
