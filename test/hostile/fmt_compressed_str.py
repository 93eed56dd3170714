# hostile: 'compressed' is a base64 str, not bytes
# expect-evaluate: return_format_error
# expect-direct: return_format_error
#
# Why: the contract requires bytes; a str would be counted in characters and re-encoded by
# whoever ships it => return_format_error.
import base64

import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    return {"compressed": base64.b64encode(_jpeg(frame, config)).decode("ascii"), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    raw = base64.b64decode(compressed)
    return cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR)
