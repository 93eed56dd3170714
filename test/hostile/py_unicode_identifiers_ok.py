# hostile: legal non-ASCII identifiers (qualité, Δ, 帧) in an otherwise plain per-frame JPEG codec
# expect-evaluate: ok
# expect-direct: ok
#
# Why: control case for the Unicode handling. PEP 3131 identifiers are valid Python and nothing
# here is forbidden, so validation passes and the codec behaves like the JPEG reference => ok both
# ways. A validator or harness that chokes on non-ASCII source (encoding, excerpts, logs) fails it.
import cv2
import numpy as np


def _qualité_jpeg(config):
    Δ = min(max(float(config["quality"]), 0.0), 1.0)
    return int(5 + 90 * Δ)


def compress_video_frame(frame, config):
    帧 = np.ascontiguousarray(frame)
    réussi, données = cv2.imencode(".jpg", 帧, [int(cv2.IMWRITE_JPEG_QUALITY), _qualité_jpeg(config)])
    if not réussi:
        raise RuntimeError("échec de l'encodage JPEG")
    return {"compressed": données.tobytes(), "metadata": {"remarque": "qualité ✓"}}


def decompress_video_frame(compressed, metadata, config):
    image = cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise RuntimeError("décodage JPEG impossible")
    return image
