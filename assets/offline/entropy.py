"""Offline generator building block: the entropy stages' shared helpers (signs, varints, zig-zag scan, runs, images).

_squeeze and _stretch come from png.py or webp.py.
"""
import numpy as np

from codec import BLOCK, _squeeze, _stretch


# block: signed
def _unsigned(values):
    values = np.asarray(values, np.int64).reshape(-1)
    return np.where(values >= 0, 2 * values, -2 * values - 1)


def _signed(values):
    values = np.asarray(values, np.int64)
    return np.where(values % 2 == 0, values // 2, -((values + 1) // 2))


# block: varint
def _varint_bytes(values):
    """Little-endian base-128 integers (7 bits a byte, high bit = more), built with numpy."""
    values = np.asarray(values, np.int64).reshape(-1)
    if values.size == 0:
        return b""
    sizes = 1 + (values >= 128).astype(np.int64) + (values >= 16384) + (values >= 2097152)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    out = np.zeros(int(ends[-1]), np.uint8)
    for k in range(4):
        chosen = sizes > k
        part = (values[chosen] >> (7 * k)) & 127
        out[starts[chosen] + k] = part | np.where(sizes[chosen] > k + 1, 128, 0)
    return out.tobytes()


def _varint_read(data, offset, count):
    """count integers from data[offset:]; returns (values, next offset)."""
    if count == 0:
        return np.zeros(0, np.int64), offset
    raw = np.frombuffer(data, np.uint8)[offset:]
    ends = np.flatnonzero(raw < 128)[:count]
    if ends.size < count:
        raise ValueError("the bitstream ends inside its integers")
    used = int(ends[-1]) + 1
    raw = raw[:used].astype(np.int64)
    marks = np.zeros(used, np.int64)
    marks[ends[:-1] + 1] = 1
    ids = np.cumsum(marks)
    starts = np.concatenate(([0], ends[:-1] + 1))
    parts = (raw & 127) << (7 * (np.arange(used) - starts[ids]))
    values = np.bincount(ids, weights=parts.astype(np.float64), minlength=count)
    return values.astype(np.int64), offset + used


# block: scan
def _scan_order(size):
    """Zig-zag: anti-diagonals from DC outwards, alternating direction as in JPEG."""
    def key(cell):
        u, v = divmod(cell, size)
        return (u + v, u if (u + v) % 2 else v)
    return np.array(sorted(range(size * size), key=key), np.int64)


SCAN = _scan_order(BLOCK)


def _rows(levels, intra):
    """Every block of every plane as one zig-zag row; on keyframes DC is coded as a difference."""
    rows = []
    for level in levels:
        scanned = level.reshape(level.shape[0], -1)[:, SCAN].astype(np.int64)
        if intra:
            scanned[:, 0] = np.diff(scanned[:, 0], prepend=0)
        rows.append(scanned)
    return np.concatenate(rows)


def _levels(rows, shapes, intra):
    levels, start = [], 0
    for shape in shapes:
        count = (shape[2] // BLOCK) * (shape[3] // BLOCK)
        scanned = rows[start:start + count]
        start += count
        if intra:
            scanned[:, 0] = np.cumsum(scanned[:, 0])
        level = np.zeros(scanned.shape, np.int32)
        level[:, SCAN] = scanned
        levels.append(level.reshape(count, BLOCK, BLOCK))
    return levels


def _block_count(shapes):
    return sum((shape[2] // BLOCK) * (shape[3] // BLOCK) for shape in shapes)


# block: runs
def _runs(rows):
    """Per block the count of non-zero levels, then for each one the zeros before it and itself."""
    width = rows.shape[1]
    where = np.flatnonzero(rows)
    block, position = where // width, where % width
    previous = np.concatenate(([-1], position[:-1]))
    previous[np.concatenate(([True], block[1:] != block[:-1]))] = -1
    return np.count_nonzero(rows, axis=1), position - previous - 1, rows.reshape(-1)[where]


def _unruns(counts, runs, values, blocks, width):
    rows = np.zeros((blocks, width), np.int64)
    if values.size:
        block = np.repeat(np.arange(blocks), counts)
        total = np.cumsum(runs + 1)
        first = (np.cumsum(counts) - counts)[block]
        position = total - np.concatenate(([0], total))[first] - 1
        rows[block, position] = values
    return rows


def _serialise(levels, side, intra):
    counts, runs, values = _runs(_rows(levels, intra))
    return b"".join(
        (_varint_bytes(_unsigned(side)), _varint_bytes(counts), _varint_bytes(runs), _varint_bytes(_unsigned(values)))
    )


def _deserialise(data, shapes, side_count, intra):
    side, offset = _varint_read(data, 0, side_count)
    blocks = _block_count(shapes)
    counts, offset = _varint_read(data, offset, blocks)
    total = int(counts.sum())
    runs, offset = _varint_read(data, offset, total)
    values, offset = _varint_read(data, offset, total)
    rows = _unruns(counts, runs, _signed(values), blocks, BLOCK * BLOCK)
    return _levels(rows, shapes, intra), _signed(side)


# block: image
def _image_bytes(values, width):
    """Unsigned values as a grey image width wide: low bytes, then (if needed) higher byte planes."""
    height = -(-values.size // width)
    grid = np.zeros(height * width, np.int64)
    grid[:values.size] = values
    top = int(grid.max()) if grid.size else 0
    planes = 1 + (top > 255) + (top > 65535)
    image = np.concatenate([(grid >> (8 * k)) & 255 for k in range(planes)]).reshape(-1, width)
    return bytes((planes,)) + _squeeze(image.astype(np.uint8))


def _image_values(data, count, width):
    planes = data[0]
    height = -(-count // width)
    image = _stretch(data[1:], height * planes, width).astype(np.int64).reshape(planes, -1)
    values = np.zeros(image.shape[1], np.int64)
    for k in range(planes):
        values |= image[k] << (8 * k)
    return values[:count]
