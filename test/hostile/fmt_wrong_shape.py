# hostile: decoder returns half the frame height (h/2, w, 3)
# expect-evaluate: decode_mismatch
# expect-direct: decode_mismatch
#
# Why: a valid JPEG encoder with a decoder that drops the bottom half: the shape differs from
# (height, width, 3) => decode_mismatch, at smoke in the full pipeline and in the direct run. The
# metrics must never be computed on a cropped or broadcast frame.
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
    return image[: config["height"] // 2]
