# hostile: memory bomb by pure-Python bytes doubling (data += data) with no numpy involved
# expect-evaluate: memory_exceeded
# expect-direct: memory_exceeded
#
# Why: no import beyond numpy (used only by the decoder), so validation passes. Each doubling
# needs the old and the new buffer: around 128 MiB -> 256 MiB the cgroup OOM killer kills the
# child, or the allocation fails with MemoryError; both are memory_exceeded. Reaching 8 GiB means
# there is no memory cap: the codec returns a valid frame and the test notices.
import numpy as np


def compress_video_frame(frame, config):
    data = b"\xa5" * (1 << 20)
    while len(data) < (8 << 30):
        data += data
    return {"compressed": frame.tobytes(), "metadata": {"grown": len(data)}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
