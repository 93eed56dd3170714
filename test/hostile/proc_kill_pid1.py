# hostile: kill pid 1 (tini, the container's init) with SIGKILL and SIGSTOP
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: pid 1 survived
#
# Why: os is not allowed (forbidden_imports). The kernel drops SIGKILL and SIGSTOP sent to a pid
# namespace's init from inside that namespace, so kill() returns without error and tini lives on;
# the codec checks /proc/1 and raises => runtime_errors. (If init ran as another uid, kill()
# raises PermissionError: also runtime_errors.) Were pid 1 to die, the container would end without
# a result and the test notices.
import os
import signal
import time

import numpy as np


def _alive():
    try:
        with open("/proc/1/stat") as stat:
            return stat.read().split(")")[-1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def compress_video_frame(frame, config):
    try:
        os.kill(1, signal.SIGKILL)
        os.kill(1, signal.SIGSTOP)
    except OSError as err:
        raise RuntimeError("blocked: pid 1 survived: signalling refused: %r" % (err,))
    time.sleep(0.5)
    if _alive():
        raise RuntimeError("blocked: pid 1 survived SIGKILL and SIGSTOP")
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
