# hostile: plain syntax error (unclosed call), the most common LLM failure
# expect-evaluate: syntax_errors
# expect-direct: syntax_errors
# expect-message: SyntaxError
#
# Why: the source does not parse: the validator reports syntax_errors with the line, and a direct
# run fails identically when the harness compiles the source.
import numpy as np


def compress_video_frame(frame, config):
    data = frame.tobytes(
    return {"compressed": data, "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
