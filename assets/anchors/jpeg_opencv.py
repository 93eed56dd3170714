"""The per-frame JPEG anchor (docs/ARCHITECTURE.md section 3): every frame an independent OpenCV JPEG.

Measured through the same sandboxed pipeline as candidate codecs, so its bytes (JPEG plus the
serialised metadata) and its metrics are counted exactly as theirs are. Quality q in [0, 1]
maps to JPEG quality int(5 + 90 * q). Changing this file changes its sha256 and so invalidates
the cached anchor results.
"""

import cv2
import numpy as np


def _jpeg_quality(config):
    quality = min(max(float(config["quality"]), 0.0), 1.0)
    return int(5 + 90 * quality)


def compress_video_frame(frame, config):
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), _jpeg_quality(config)])
    if not ok:
        raise RuntimeError("cv2.imencode failed for a %s frame" % (frame.shape,))
    return {"compressed": encoded.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    decoded = cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        raise RuntimeError("cv2.imdecode could not decode %d bytes" % len(compressed))
    return decoded
