# hostile: ZeroDivisionError on the second frame (frame_index 1) of an otherwise valid JPEG codec
# expect-evaluate: runtime_errors
# expect-direct: runtime_errors
# expect-message: (?s)line 20\b.*ZeroDivisionError
#
# Why: nothing forbidden; frame 0 encodes, frame 1 divides by zero => runtime_errors, and the
# traceback must name the codec's line (20) so the self-debugger can quote it. Needs a run of at
# least two frames; a one-frame run would be ok.
import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    step = 1.0 / (1 - config["frame_index"])
    return {"compressed": _jpeg(frame, config), "metadata": {"step": step}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
