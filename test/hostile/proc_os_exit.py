# hostile: os._exit(0) inside compress_video_frame (no cleanup, no exception, exit status 0)
# expect-evaluate: forbidden_imports
# expect-direct: crashes
#
# Why: os is not allowed (forbidden_imports). os._exit skips every except/finally in the harness
# child: no result is written. The child exited on its own => crashes.
import os

import numpy as np


def compress_video_frame(frame, config):
    os._exit(0)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
