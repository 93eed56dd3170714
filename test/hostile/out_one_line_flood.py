# hostile: output flood as a single 32 MiB line with no newline (defeats line-based readers)
# expect-evaluate: output_flood
# expect-direct: output_flood
#
# Why: print is allowed, so validation passes. A reader that buffers until a newline would hold
# 32 MiB in memory; the cap must count bytes, not lines => output_flood.
import numpy as np


def compress_video_frame(frame, config):
    print("A" * (32 << 20), end="", flush=True)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
