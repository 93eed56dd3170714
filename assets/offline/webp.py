"""Offline generator building block: lossless WebP (VP8L); RIFF header rebuilt by the decoder.
"""
import struct

import cv2
import numpy as np


# block: webp
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
