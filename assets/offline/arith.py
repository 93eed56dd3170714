"""Offline generator building block: a binary range coder (LZMA's) and context models for levels and motion.
"""
from codec import BLOCK, SCAN


# block: range_coder
TOP = 1 << 24


class _Writer:
    """Binary range encoder (LZMA's): 11-bit adaptive probabilities, carries kept in a cache."""

    def __init__(self):
        self.low, self.range, self.cache, self.pending = 0, 0xFFFFFFFF, 0, 1
        self.out = bytearray()

    def bit(self, probs, index, bit):
        p = probs[index]
        bound = (self.range >> 11) * p
        if bit:
            self.low += bound
            self.range -= bound
            probs[index] = p - (p >> 5)
        else:
            self.range = bound
            probs[index] = p + ((2048 - p) >> 5)
        while self.range < TOP:
            self.range <<= 8
            self._shift()
        return bit

    def raw(self, bit):
        self.range >>= 1
        if bit:
            self.low += self.range
        while self.range < TOP:
            self.range <<= 8
            self._shift()
        return bit

    def _shift(self):
        low = self.low
        if low < 0xFF000000 or low > 0xFFFFFFFF:
            carry = low >> 32
            self.out.append((self.cache + carry) & 0xFF)
            for _ in range(self.pending - 1):
                self.out.append((0xFF + carry) & 0xFF)
            self.pending = 0
            self.cache = (low >> 24) & 0xFF
        self.pending += 1
        self.low = (low & 0x00FFFFFF) << 8

    def finish(self):
        for _ in range(5):
            self._shift()
        return bytes(self.out[1:])  # the first byte is always zero: not sent


class _Reader:
    def __init__(self, data):
        self.data, self.position, self.range = data, 4, 0xFFFFFFFF
        self.code = int.from_bytes(bytes(data[:4]).ljust(4, bytes(1)), "big")

    def _next(self):
        position = self.position
        self.position = position + 1
        return self.data[position] if position < len(self.data) else 0

    def bit(self, probs, index, bit=0):
        p = probs[index]
        bound = (self.range >> 11) * p
        if self.code < bound:
            self.range = bound
            probs[index] = p + ((2048 - p) >> 5)
            bit = 0
        else:
            self.code -= bound
            self.range -= bound
            probs[index] = p - (p >> 5)
            bit = 1
        while self.range < TOP:
            self.range <<= 8
            self.code = ((self.code << 8) | self._next()) & 0xFFFFFFFF
        return bit

    def raw(self, bit=0):
        self.range >>= 1
        bit = 1 if self.code >= self.range else 0
        if bit:
            self.code -= self.range
        while self.range < TOP:
            self.range <<= 8
            self.code = ((self.code << 8) | self._next()) & 0xFFFFFFFF
        return bit


# block: context_coding
# One code path for both sides: the encoder passes the real values and codes them, the decoder
# passes placeholders and gets the decoded bits back, so the two cannot drift apart.
N = BLOCK * BLOCK
LAST_BITS = N.bit_length() - 1
BANDS = [min(int(u + v), 11) for u, v in zip(SCAN // BLOCK, SCAN % BLOCK)]


def _models():
    """Adaptive contexts; they persist across the frames of a clip on each side (config['state'])."""
    def probs(count):
        return [1024] * count
    return {
        "coded": probs(4 * 3),
        "last": [probs(2 * N) for _ in range(4)],
        "zero": probs(4 * 12 * 2),
        "one": probs(4 * 12),
        "two": probs(4 * 12),
        "gamma": [probs(40) for _ in range(8)],
        "side_zero": probs(2),
        "side_gamma": [probs(40) for _ in range(2)],
    }


def _gamma(coder, probs, value):
    """value >= 0 as Elias-gamma of value + 1: adaptive unary length, then raw mantissa bits."""
    x = value + 1
    size = x.bit_length() - 1 if x > 0 else 0
    count = 0
    while count < 39 and coder.bit(probs, count, 1 if count < size else 0):
        count += 1
    result = 1
    for shift in range(count - 1, -1, -1):
        result = (result << 1) | coder.raw((x >> shift) & 1)
    return result - 1


def _code_side(coder, models, side):
    zero, gammas = models["side_zero"], models["side_gamma"]
    for i in range(len(side)):
        component = i & 1
        base = side[i - 2] if i >= 2 else 0
        delta = side[i] - base
        if coder.bit(zero, component, 1 if delta else 0):
            negative = coder.raw(1 if delta < 0 else 0)
            size = 1 + _gamma(coder, gammas[component], abs(delta) - 1)
            delta = -size if negative else size
        else:
            delta = 0
        side[i] = base + delta


def _code_rows(coder, models, rows, lasts, kinds, neighbours, inter):
    coded_p, trees = models["coded"], models["last"]
    zero_p, one_p, two_p, gammas = models["zero"], models["one"], models["two"], models["gamma"]
    bit, raw = coder.bit, coder.raw
    flags = [0] * len(rows)
    for b, row in enumerate(rows):
        k = kinds[b] * 2 + inter
        left, above = neighbours[b]
        near = (flags[left] if left >= 0 else 0) + (flags[above] if above >= 0 else 0)
        if not bit(coded_p, k * 3 + near, 1 if lasts[b] >= 0 else 0):
            continue
        flags[b] = 1
        tree, node, target = trees[k], 1, lasts[b]
        for shift in range(LAST_BITS - 1, -1, -1):
            node = 2 * node + bit(tree, node, (target >> shift) & 1)
        last = node - N
        previous = 0
        for position in range(last + 1):
            value = row[position]
            context = k * 12 + BANDS[position]
            if position < last and not bit(zero_p, context * 2 + previous, 1 if value else 0):
                previous = 0
                continue
            magnitude = abs(value)
            if bit(one_p, context, 1 if magnitude > 1 else 0):
                if bit(two_p, context, 1 if magnitude > 2 else 0):
                    magnitude = 3 + _gamma(coder, gammas[k * 2 + (position == 0)], magnitude - 3)
                else:
                    magnitude = 2
            else:
                magnitude = 1
            row[position] = -magnitude if raw(1 if value < 0 else 0) else magnitude
            previous = 1


def _layout(shapes):
    """Per block: its plane kind (0 luma, 1 chroma) and its left and upper neighbours (or -1)."""
    kinds, neighbours, start = [], [], 0
    for index, shape in enumerate(shapes):
        by, bx = shape[2] // BLOCK, shape[3] // BLOCK
        for r in range(by):
            for c in range(bx):
                b = start + r * bx + c
                kinds.append(1 if index else 0)
                neighbours.append((b - 1 if c else -1, b - bx if r else -1))
        start += by * bx
    return kinds, neighbours
