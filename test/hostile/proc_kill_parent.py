# hostile: kill the harness parent: os.kill(os.getppid(), SIGKILL)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
#
# Why: os is not allowed (forbidden_imports). Run directly, the parent and the child share uid
# 10001, but the parent is the container's pid 1 (issue 11: no Docker init), and the kernel
# delivers SIGKILL to a pid namespace's init only from outside it: the parent survives and the
# codec raises => runtime_errors. Had it died, the orchestrator must blame the codec (crashes:
# "killed the harness"), not the infrastructure (sandbox_error), or any codec could fake an
# infrastructure fault.
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
