# hostile: hang inside one numpy C call (a 2**44-element reduction over a zero-copy broadcast view)
# expect-evaluate: timeouts
# expect-direct: timeouts
#
# Why: np.broadcast_to costs no memory (stride 0), so this is not a memory failure, and .sum()
# is a single C loop of ~1.7e13 additions (tens of minutes on one CPU). Python signal handlers
# (SIGALRM, SIGINT, KeyboardInterrupt) never run while it is inside C, so only a SIGKILL from the
# in-container deadline stops it => timeouts. A harness that relies on signal.alarm would hang
# until the orchestrator's deadline (still timeouts, but slower than max-wall-s allows).
import numpy as np


def compress_video_frame(frame, config):
    huge = np.broadcast_to(np.float64(1.0), (1 << 22, 1 << 22))
    total = float(huge.sum())
    return {"compressed": frame.tobytes(), "metadata": {"total": total}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
