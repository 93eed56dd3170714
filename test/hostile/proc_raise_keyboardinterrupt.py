# hostile: raise KeyboardInterrupt (a BaseException, not an Exception) from the codec
# expect-evaluate: runtime_errors
# expect-direct: runtime_errors
# expect-message: KeyboardInterrupt
#
# Why: no import, validation passes. The codec raised an exception => runtime_errors. A harness
# that catches only Exception lets it escape: the child then dies of SIGINT or exits 130 and the
# run would be misreported as crashes (or the harness loop itself is interrupted).
import numpy as np


def compress_video_frame(frame, config):
    raise KeyboardInterrupt("raised by the codec")


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
