/**
 * Python building blocks for the entropy stage: how quantised levels and motion side ints become
 * bytes, with only the allowed modules (numpy for scans, runs and variable-length integers;
 * cv2's lossless PNG (DEFLATE) or lossless WebP as back ends, their container headers dropped
 * and rebuilt by the decoder because every counted byte matters). Each returns source that
 * defines _pack(levels, side, shapes, intra) -> bytes and
 * _unpack(data, shapes, side_count, intra) -> (levels, side). Pure.
 */
import { CONTEXT_CODING, RANGE_CODER } from './blocks-arith.js';
import type { Genome } from './genome.js';

const SIGNED = `
def _unsigned(values):
    values = np.asarray(values, np.int64).reshape(-1)
    return np.where(values >= 0, 2 * values, -2 * values - 1)


def _signed(values):
    values = np.asarray(values, np.int64)
    return np.where(values % 2 == 0, values // 2, -((values + 1) // 2))
`;

const VARINT = `
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
`;

const SCAN = `
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
`;

const RUNS = `
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
`;

const PNG = `
def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (0xEDB88320 ^ (c >> 1)) if c & 1 else (c >> 1)
        table.append(c)
    return table


CRC_TABLE = _crc_table()
PNG_SIGNATURE = bytes((137, 80, 78, 71, 13, 10, 26, 10))


def _crc32(data):
    c = 0xFFFFFFFF
    for byte in data:
        c = CRC_TABLE[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", _crc32(kind + body))


def _squeeze(image):
    """DEFLATE through a lossless grey PNG; only the zlib stream is kept (the rest is rebuilt)."""
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    if not ok:
        raise RuntimeError("cv2.imencode('.png') failed")
    data, position, parts = encoded.tobytes(), 8, []
    while position < len(data):
        length = struct.unpack(">I", data[position:position + 4])[0]
        if data[position + 4:position + 8] == b"IDAT":
            parts.append(data[position + 8:position + 8 + length])
        position += 12 + length
    return b"".join(parts)


def _stretch(stream, rows, cols):
    header = struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0)
    png = PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError("the coded image does not decode")
    return image.reshape(rows, cols)
`;

const WEBP = `
def _squeeze(image):
    """Lossless WebP (VP8L) of the grey image; only the VP8L payload is kept (the RIFF header is rebuilt)."""
    ok, encoded = cv2.imencode(".webp", cv2.merge((image, image, image)), [cv2.IMWRITE_WEBP_QUALITY, 101])
    if not ok:
        raise RuntimeError("cv2.imencode('.webp') failed")
    data = encoded.tobytes()
    if data[12:16] != b"VP8L":
        raise RuntimeError("cv2.imencode('.webp') did not write a simple lossless file")
    length = struct.unpack("<I", data[16:20])[0]
    return data[20:20 + length]


def _stretch(stream, rows, cols):
    pad = len(stream) % 2
    body = b"VP8L" + struct.pack("<I", len(stream)) + stream + bytes(pad)
    riff = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body
    image = cv2.imdecode(np.frombuffer(riff, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("the coded image does not decode")
    return image[:, :, 0].reshape(rows, cols)
`;

const IMAGE = `
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
`;

/** Source of the entropy stage for this genome: helpers plus _pack and _unpack. */
export function entropyBlock(genome: Pick<Genome, 'entropy'>): string {
  switch (genome.entropy) {
    case 'varint':
      return `
# Entropy: per block the length of its zig-zag scan up to the last non-zero level, then every
# level of that prefix (zeros included) as a zig-zag-signed variable-length integer.
${SIGNED}${VARINT}${SCAN}

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
`;
    case 'rle':
      return `
# Entropy: zig-zag scan, run-length of zeros, variable-length integers (counts, runs, levels).
${SIGNED}${VARINT}${SCAN}${RUNS}

def _pack(levels, side, shapes, intra, state):
    return _serialise(levels, side, intra)


def _unpack(data, shapes, side_count, intra, state):
    return _deserialise(data, shapes, side_count, intra)
`;
    case 'rle_deflate':
      return `
# Entropy: zig-zag scan, run-length of zeros, variable-length integers, then DEFLATE (lossless PNG).
${SIGNED}${VARINT}${SCAN}${RUNS}${PNG}

def _pack(levels, side, shapes, intra, state):
    raw = _serialise(levels, side, intra)
    return _varint_bytes([len(raw)]) + _squeeze(np.frombuffer(raw, np.uint8).reshape(1, -1))


def _unpack(data, shapes, side_count, intra, state):
    length, offset = _varint_read(data, 0, 1)
    raw = _stretch(data[offset:], 1, int(length[0])).tobytes()
    return _deserialise(raw, shapes, side_count, intra)
`;
    case 'png_freq':
    case 'webp_freq':
      return `
# Entropy: levels regrouped by frequency (each frequency a sub-image, DC first), as a lossless
# ${genome.entropy === 'png_freq' ? 'PNG (prediction filters + DEFLATE)' : 'WebP (VP8L: spatial prediction + LZ77 + Huffman)'} image.
${SIGNED}${genome.entropy === 'png_freq' ? PNG : WEBP}${IMAGE}

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
`;
    case 'arith':
      return `
# Entropy: context-adaptive binary range coding (pure Python): per block a coded flag (context:
# coded neighbours), the last non-zero position (adaptive bit tree), significance by frequency
# band and previous significance, magnitudes by band (>1, >2, then adaptive Elias-gamma), raw
# signs; motion vectors as differences from the previous vector. Models adapt across frames.
${SIGNED}${SCAN}${RANGE_CODER}${CONTEXT_CODING}

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
`;
    case 'png_block':
      return `
# Entropy: one zig-zag row per block, all rows as a lossless PNG (its Up filter predicts each
# frequency from the block before; DEFLATE codes the rest).
${SIGNED}${SCAN}${PNG}${IMAGE}

def _pack(levels, side, shapes, intra, state):
    values = np.concatenate((_unsigned(_rows(levels, False)), _unsigned(side)))
    return _image_bytes(values, BLOCK * BLOCK)


def _unpack(data, shapes, side_count, intra, state):
    count = _block_count(shapes) * BLOCK * BLOCK
    values = _signed(_image_values(data, count + side_count, BLOCK * BLOCK))
    return _levels(values[:count].reshape(-1, BLOCK * BLOCK), shapes, False), values[count:]
`;
  }
}

/** Whether the entropy stage needs the struct module. */
export function needsStruct(genome: Pick<Genome, 'entropy'>): boolean {
  return genome.entropy !== 'varint' && genome.entropy !== 'rle';
}
