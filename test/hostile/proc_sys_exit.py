# hostile: sys.exit(0) inside compress_video_frame (exit status 0 looks like success)
# expect-evaluate: forbidden_imports
# expect-direct: crashes
#
# Why: sys is not allowed (forbidden_imports). Run directly, SystemExit(0) is the codec ending its
# process on its own: docs/ARCHITECTURE.md §4 puts "exited on its own" under crashes. A harness that lets the
# child exit 0 without a result, or that treats a zero exit status as success, fails this test.
import sys

import numpy as np


def compress_video_frame(frame, config):
    sys.exit(0)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
