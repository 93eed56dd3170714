# hostile: memory bomb: np.ones of 4 GiB (every page written) under a 256 MiB memory+swap cap
# expect-evaluate: memory_exceeded
# expect-direct: memory_exceeded
#
# Why: only numpy is used, so validation passes and the bomb goes off at smoke. np.ones writes
# every byte, so the pages are really charged: the cgroup OOM killer kills the child long before
# 4 GiB => memory_exceeded. If the kernel refuses the allocation up front, numpy raises
# MemoryError, which the harness also reports as memory_exceeded. If 4 GiB could be filled, the
# codec returns a valid frame and the test notices.
import numpy as np


def compress_video_frame(frame, config):
    hog = np.ones((4 << 30,), dtype=np.uint8)
    checksum = int(hog[:: 1 << 20].sum())  # keep the buffer alive and used
    return {"compressed": frame.tobytes(), "metadata": {"checksum": checksum}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
