"""Offline generator building block: the contract functions of an intra-only codec.
"""
import numpy as np

from codec import _forward, _geometry, _merge, _pack, _pad, _params, _quantise, _reconstruct, _split, _step, _steps, _to_blocks, _unpack


# block: codec
def compress_video_frame(frame, config):
    height, width = int(config["height"]), int(config["width"])
    shapes = _geometry(height, width)
    params = _params(config)
    step = _step(config)
    levels = []
    for index, (plane, shape) in enumerate(zip(_split(frame), shapes)):
        coefficients = _forward(_to_blocks(_pad(plane, shape)))
        levels.append(_quantise(coefficients, _steps(step, index, params), params["rounding"]))
    compressed = _pack(levels, np.zeros(0, np.int64), shapes, True, config["state"])
    return {"compressed": compressed, "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    height, width = int(config["height"]), int(config["width"])
    shapes = _geometry(height, width)
    params = _params(config)
    step = _step(config)
    levels, _ = _unpack(bytes(compressed), shapes, 0, True, config["state"])
    planes = []
    for index, (level, shape) in enumerate(zip(levels, shapes)):
        plane = _reconstruct(level, _steps(step, index, params), 0.0, shape, index)
        planes.append(plane[:shape[0], :shape[1]])
    return _merge(planes, height, width)
