# hostile: metadata with NaN and Infinity floats (Python's json emits them; strict JSON has no such tokens)
# expect-evaluate: return_format_error
# expect-direct: return_format_error
#
# Why: json.dumps writes NaN/Infinity by default, which JSON.parse in the orchestrator rejects.
# The canonical serialisation must be strict (allow_nan=False) and report the codec's mistake as
# return_format_error, not fail later in Node as sandbox_error.
import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    return {"compressed": _jpeg(frame, config), "metadata": {"gain": float("nan"), "limit": float("inf")}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
