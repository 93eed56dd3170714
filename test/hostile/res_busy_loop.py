# hostile: pure-Python busy loop that never returns
# expect-evaluate: timeouts
# expect-direct: timeouts
#
# Why: nothing forbidden is used, so it passes validation and spins at smoke. The in-container
# deadline (10 s in tests) SIGKILLs the child => timeouts; the orchestrator's own deadline+grace
# is the backstop.
import numpy as np


def compress_video_frame(frame, config):
    spins = 0
    while spins >= 0:
        spins += 1
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
