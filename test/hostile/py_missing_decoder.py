# hostile: no decompress_video_frame at all (a typo'd name instead)
# expect-evaluate: missing_function
# expect-direct: missing_function
#
# Why: the validator requires both top-level functions (missing_function). Run directly, the
# encoder may succeed, but the decoder container finds no decompress_video_frame in the module =>
# missing_function (not runtime_errors from an AttributeError inside the harness).
import numpy as np


def compress_video_frame(frame, config):
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frames(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
