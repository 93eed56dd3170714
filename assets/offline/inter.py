"""Offline generator building block: the contract functions of a codec with inter prediction (closed loop).
"""
import numpy as np

from codec import _estimate, _forward, _geometry, _merge, _pack, _pad, _params, _predict, _quantise, _reconstruct, _side_count, _split, _step, _steps, _to_blocks, _unpack


# block: codec
def _is_inter(config, state, params):
    return int(config["frame_index"]) % params["keyint"] != 0 and "reference" in state


def compress_video_frame(frame, config):
    height, width = int(config["height"]), int(config["width"])
    state = config["state"]
    shapes = _geometry(height, width)
    planes = [_pad(plane, shape) for plane, shape in zip(_split(frame), shapes)]
    params = _params(config)
    inter = _is_inter(config, state, params)
    step = _step(config) * (1.0 if inter else params["key_step"])
    side = np.zeros(0, np.int64)
    predictions = [0.0] * len(planes)
    if inter:
        side = _estimate(planes[0], state["reference"][0], step)
        predictions = _predict(state["reference"], side, shapes)
    rounding = params["rounding_inter"] if inter else params["rounding"]
    levels, reference = [], []
    for index, plane in enumerate(planes):
        steps = _steps(step, index, params)
        level = _quantise(_forward(_to_blocks(plane - predictions[index])), steps, rounding)
        levels.append(level)
        reference.append(_reconstruct(level, steps, predictions[index], shapes[index], index))
    # Closed loop: the next frame is predicted from exactly what the decoder reconstructs.
    state["reference"] = reference
    return {"compressed": _pack(levels, side, shapes, not inter, state), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    height, width = int(config["height"]), int(config["width"])
    state = config["state"]
    shapes = _geometry(height, width)
    params = _params(config)
    inter = _is_inter(config, state, params)
    step = _step(config) * (1.0 if inter else params["key_step"])
    side_count = _side_count(shapes) if inter else 0
    levels, side = _unpack(bytes(compressed), shapes, side_count, not inter, state)
    predictions = _predict(state["reference"], side, shapes) if inter else [0.0] * len(shapes)
    reference = []
    for index, (level, shape) in enumerate(zip(levels, shapes)):
        reference.append(_reconstruct(level, _steps(step, index, params), predictions[index], shape, index))
    state["reference"] = reference
    planes = [plane[:shape[0], :shape[1]] for plane, shape in zip(reference, shapes)]
    return _merge(planes, height, width)
