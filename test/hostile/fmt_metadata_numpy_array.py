# hostile: metadata holds a numpy array (per-channel means), which is not JSON-serialisable
# expect-evaluate: return_format_error
# expect-direct: return_format_error
#
# Why: json.dumps raises TypeError on an ndarray: the metadata is not JSON-serialisable =>
# return_format_error (reported by the harness, not a runtime_errors traceback from inside it).
import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    means = frame.reshape(-1, 3).mean(axis=0)
    return {"compressed": _jpeg(frame, config), "metadata": {"channel_means": means}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
