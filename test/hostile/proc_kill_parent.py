# hostile: kill the harness parent: os.kill(os.getppid(), SIGKILL)
# expect-evaluate: forbidden_imports
# expect-direct: crashes
#
# Why: os is not allowed (forbidden_imports). Run directly, the parent and the child share uid
# 10001, so the kill succeeds; tini sees its only child die and the container exits without a
# result. The orchestrator must blame the codec (crashes: "killed the harness"), not the
# infrastructure (sandbox_error), or any codec could fake an infrastructure fault. If the parent
# survives (it runs under another uid: PermissionError), the codec raises => runtime_errors, which
# would also be sound; calibrate if the harness is built that way.
import os
import signal
import time

import numpy as np


def compress_video_frame(frame, config):
    parent = os.getppid()
    try:
        os.kill(parent, signal.SIGKILL)
    except OSError as err:
        raise RuntimeError("blocked: cannot signal the harness parent %d: %r" % (parent, err))
    time.sleep(2)
    raise RuntimeError("blocked: harness parent %d survived SIGKILL" % parent)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
