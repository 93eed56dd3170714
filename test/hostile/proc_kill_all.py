# hostile: os.kill(-1, SIGKILL): kill every process the codec may signal (the harness parent included)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
#
# Why: os is not allowed (forbidden_imports). kill(-1) reaches every process of the same uid but
# the caller and the namespace's init. The harness parent is that init (pid 1, issue 11), so
# nothing is left to signal: kill(-1) fails with ESRCH and the codec raises (runtime_errors).
# With an init of Docker's between them, the harness died and the run was crashes. It must stay
# inside the container's pid namespace: nothing on the host (the orchestrator, other containers)
# may be touched.
import os
import signal
import time

import numpy as np


def compress_video_frame(frame, config):
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError as err:
        raise RuntimeError("blocked: kill(-1) refused: %r" % (err,))
    time.sleep(2)
    raise RuntimeError("blocked: still running 2 s after kill(-1, SIGKILL)")


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
