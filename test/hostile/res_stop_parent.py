# hostile: SIGSTOP the harness parent (the process that enforces the in-container deadline), then spin
# expect-evaluate: forbidden_imports
# expect-direct: timeouts|runtime_errors
# max-wall-s: 40
#
# Why: os is not allowed (forbidden_imports). Run directly, a frozen harness parent can no longer
# kill the child at its deadline, so only the orchestrator's deadline+grace (container kill)
# ends the run => timeouts, later than usual: max-wall-s is raised to 40 s for that backstop.
# If the parent cannot be signalled (a different uid), os.kill raises PermissionError and the
# codec raises => runtime_errors; both are sound. Never ok: the loop has no exit.
import os
import signal

import numpy as np


def compress_video_frame(frame, config):
    try:
        os.kill(os.getppid(), signal.SIGSTOP)
    except OSError as err:
        raise RuntimeError("blocked: could not stop the harness parent: %r" % (err,))
    spins = 0
    while spins >= 0:
        spins += 1
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
