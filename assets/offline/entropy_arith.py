"""Offline generator building block: _pack and _unpack by context-adaptive binary range coding.
"""
import numpy as np

from codec import N, _Reader, _Writer, _code_rows, _code_side, _layout, _levels, _models, _rows


# block: pack
def _pack(levels, side, shapes, intra, state):
    models = state.setdefault("models", _models())
    rows = _rows(levels, intra)
    nonzero = rows != 0
    lasts = np.where(nonzero.any(axis=1), N - 1 - np.argmax(nonzero[:, ::-1], axis=1), -1)
    kinds, neighbours = _layout(shapes)
    coder = _Writer()
    _code_side(coder, models, [int(v) for v in side])
    _code_rows(coder, models, rows.tolist(), lasts.tolist(), kinds, neighbours, 0 if intra else 1)
    return coder.finish()


def _unpack(data, shapes, side_count, intra, state):
    models = state.setdefault("models", _models())
    kinds, neighbours = _layout(shapes)
    coder = _Reader(data)
    side = [0] * side_count
    _code_side(coder, models, side)
    rows = [[0] * N for _ in kinds]
    _code_rows(coder, models, rows, [-1] * len(kinds), kinds, neighbours, 0 if intra else 1)
    return _levels(np.array(rows, np.int64).reshape(-1, N), shapes, intra), np.array(side, np.int64)
