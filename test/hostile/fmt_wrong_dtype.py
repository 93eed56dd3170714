# hostile: decoder returns float64 in [0, 255] with the right shape
# expect-evaluate: decode_mismatch
# expect-direct: decode_mismatch
#
# Why: the contract says uint8 (height, width, 3); a float64 array has the right shape and even
# plausible values, but a harness that casts silently would hide the bug (and 8x the bytes) =>
# decode_mismatch.
import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    return {"compressed": _jpeg(frame, config), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    image = cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
    return image.astype(np.float64)
