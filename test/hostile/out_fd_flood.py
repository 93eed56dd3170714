# hostile: raw fd flood: os.write to fds 1 and 2, bypassing any sys.stdout/sys.stderr replacement
# expect-evaluate: forbidden_imports
# expect-direct: output_flood
#
# Why: os is not allowed (forbidden_imports). Run directly this writes below Python's io layer, so a
# harness that only swapped sys.stdout for a capped buffer would not see it; the cap must be on
# the pipe behind fds 1 and 2 => output_flood.
import os

import numpy as np


def compress_video_frame(frame, config):
    chunk = b"F" * 65536
    for _ in range(128):
        for fd in (1, 2):
            os.write(fd, chunk)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
