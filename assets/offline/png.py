"""Offline generator building block: DEFLATE through lossless PNG; container rebuilt by the decoder.
"""
import struct

import cv2
import numpy as np


# block: png
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
