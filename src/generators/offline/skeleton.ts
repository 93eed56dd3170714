/**
 * The fixed Python skeleton every offline codec shares: the quality → step mapping, plane
 * geometry, reconstruction, and the two contract functions (intra-only or inter). The building
 * blocks it calls are defined by the other sections (render.ts). Pure data.
 */

/**
 * The quantiser step at quality q is 2^(STEP_LOG2_MAX − STEP_LOG2_RANGE·q): it halves every
 * 1/STEP_LOG2_RANGE of quality, so more quality always means more bits. The range puts the five
 * sweep points between about 25 and 43 dB luma PSNR on natural content.
 */
export const STEP_LOG2_MAX = 6.8;
export const STEP_LOG2_RANGE = 4.6;

export const STEP = `
STEP_LOG2_MAX = ${STEP_LOG2_MAX}
STEP_LOG2_RANGE = ${STEP_LOG2_RANGE}


def _step(config):
    """Quantiser step: quality 0 -> 2^STEP_LOG2_MAX, every +1/STEP_LOG2_RANGE of quality halves it."""
    quality = min(max(float(config["quality"]), 0.0), 1.0)
    return float(2.0 ** (STEP_LOG2_MAX - STEP_LOG2_RANGE * quality))
`;

export const GEOMETRY = `
def _geometry(height, width):
    """Per plane: (rows, cols) as coded, then (rows, cols) padded to whole blocks."""
    shapes = []
    for index, (fy, fx) in enumerate(SUBSAMPLE):
        rows, cols = -(-height // fy), -(-width // fx)
        align = ALIGN if index == 0 else BLOCK
        shapes.append((rows, cols, -(-rows // align) * align, -(-cols // align) * align))
    return shapes


def _pad(plane, shape):
    rows, cols, padded_rows, padded_cols = shape
    return np.pad(plane, ((0, padded_rows - rows), (0, padded_cols - cols)), mode="edge")
`;

export function reconstructBlock(deblock: boolean): string {
  return `
def _reconstruct(level, steps, prediction, shape, index):
    """What the decoder sees: dequantised, inverse transformed, added to the prediction, clipped."""
    residual = _from_blocks(_inverse((level * steps).astype(np.float32)), shape[2], shape[3])
    plane = np.clip(residual + prediction, LOW[index], HIGH[index]).astype(np.float32)
    return ${deblock ? '_deblock(plane, float(steps[0, 0]))' : 'plane'}
`;
}

export const INTRA_SKELETON = `
def compress_video_frame(frame, config):
    height, width = int(config["height"]), int(config["width"])
    shapes = _geometry(height, width)
    step = _step(config)
    levels = []
    for index, (plane, shape) in enumerate(zip(_split(frame), shapes)):
        coefficients = _forward(_to_blocks(_pad(plane, shape)))
        levels.append(_quantise(coefficients, _steps(step, index), ROUNDING))
    compressed = _pack(levels, np.zeros(0, np.int64), shapes, True, config["state"])
    return {"compressed": compressed, "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    height, width = int(config["height"]), int(config["width"])
    shapes = _geometry(height, width)
    step = _step(config)
    levels, _ = _unpack(bytes(compressed), shapes, 0, True, config["state"])
    planes = []
    for index, (level, shape) in enumerate(zip(levels, shapes)):
        plane = _reconstruct(level, _steps(step, index), 0.0, shape, index)
        planes.append(plane[:shape[0], :shape[1]])
    return _merge(planes, height, width)
`;

export const INTER_SKELETON = `
def _is_inter(config, state):
    return int(config["frame_index"]) % KEYINT != 0 and "reference" in state


def compress_video_frame(frame, config):
    height, width = int(config["height"]), int(config["width"])
    state = config["state"]
    shapes = _geometry(height, width)
    planes = [_pad(plane, shape) for plane, shape in zip(_split(frame), shapes)]
    inter = _is_inter(config, state)
    step = _step(config) * (1.0 if inter else KEY_STEP)
    side = np.zeros(0, np.int64)
    predictions = [0.0] * len(planes)
    if inter:
        side = _estimate(planes[0], state["reference"][0], step)
        predictions = _predict(state["reference"], side, shapes)
    rounding = ROUNDING_INTER if inter else ROUNDING
    levels, reference = [], []
    for index, plane in enumerate(planes):
        steps = _steps(step, index)
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
    inter = _is_inter(config, state)
    step = _step(config) * (1.0 if inter else KEY_STEP)
    side_count = _side_count(shapes) if inter else 0
    levels, side = _unpack(bytes(compressed), shapes, side_count, not inter, state)
    predictions = _predict(state["reference"], side, shapes) if inter else [0.0] * len(shapes)
    reference = []
    for index, (level, shape) in enumerate(zip(levels, shapes)):
        reference.append(_reconstruct(level, _steps(step, index), predictions[index], shape, index))
    state["reference"] = reference
    planes = [plane[:shape[0], :shape[1]] for plane, shape in zip(reference, shapes)]
    return _merge(planes, height, width)
`;
