# hostile: time.sleep forever (blocked, idle, no CPU use)
# expect-evaluate: forbidden_imports
# expect-direct: timeouts
#
# Why: time is not an allowed module (forbidden_imports). Run directly the child sleeps without
# using CPU, so a CPU-time rlimit would never fire: only the wall-clock deadline (SIGKILL)
# ends it => timeouts.
import time

import numpy as np


def compress_video_frame(frame, config):
    time.sleep(10**7)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
