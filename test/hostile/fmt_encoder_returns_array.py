# hostile: encoder returns the encoded numpy array itself instead of {'compressed': bytes, 'metadata': dict}
# expect-evaluate: return_format_error
# expect-direct: return_format_error
#
# Why: a frequent LLM slip (cv2.imencode's array returned as is). Not a dict => return_format_error.
import cv2
import numpy as np


def compress_video_frame(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
