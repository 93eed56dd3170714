# hostile: output flood: print 16 MiB of lines to stdout, then return a valid frame
# expect-evaluate: output_flood
# expect-direct: output_flood
#
# Why: print is allowed, so validation passes. The codec's output pipe is capped at 64 KiB; the
# harness must kill the child when the cap is exceeded => output_flood. The codec returns
# normally afterwards, so a harness that only truncated the log would report ok and the test
# notices.
import numpy as np


def compress_video_frame(frame, config):
    line = "frame %d debug " % config["frame_index"] + "x" * 1000
    for _ in range(16384):
        print(line)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
