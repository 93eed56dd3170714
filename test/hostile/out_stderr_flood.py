# hostile: stderr flood: 16 MiB written through sys.stderr, then return a valid frame
# expect-evaluate: forbidden_imports
# expect-direct: output_flood
#
# Why: sys is not an allowed module (forbidden_imports). Run directly, stderr shares the 64 KiB
# cap with stdout => output_flood.
import sys

import numpy as np


def compress_video_frame(frame, config):
    chunk = "E" * 65535 + "\n"
    for _ in range(256):
        sys.stderr.write(chunk)
    sys.stderr.flush()
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
