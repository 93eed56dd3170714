# hostile: nondeterministic encoder: a wall-clock timestamp (time.time) in every frame's metadata
# expect-evaluate: forbidden_imports
# expect-direct: nondeterministic
#
# Why: time is not an allowed module (forbidden_imports). Run directly, the smoke stage encodes
# twice in two fresh containers; the timestamps (sub-microsecond floats) differ, and metadata is
# part of the compared bytes => nondeterministic. An ok means metadata was left out of the
# determinism check.
import time

import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    return {"compressed": _jpeg(frame, config), "metadata": {"encoded_at": time.time()}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
