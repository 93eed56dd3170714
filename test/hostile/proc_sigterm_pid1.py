# hostile: send SIGTERM to pid 1 (tini forwards it to the harness parent, as if the orchestrator were stopping the run)
# expect-evaluate: forbidden_imports
# expect-direct: crashes|runtime_errors
#
# Why: os is not allowed (forbidden_imports). tini forwards SIGTERM to its child, the harness
# parent. The codec is trying to make its own failure look like an infrastructure stop: the
# outcome must be a codec category, never sandbox_error and never ok. Today the harness dies of
# it, the container exits 143 without a result => crashes ("the codec may have killed the
# harness"). A harness that ignored SIGTERM would let the codec's own exception through =>
# runtime_errors; that is equally honest (the codec can SIGKILL the parent anyway, see
# proc_kill_parent.py), so both are accepted. A harness that answers SIGTERM with a "stopped"
# report would turn this into sandbox_error: that is the bug this file is for.
import os
import signal
import time

import numpy as np


def compress_video_frame(frame, config):
    try:
        os.kill(1, signal.SIGTERM)
    except OSError as err:
        raise RuntimeError("blocked: SIGTERM to pid 1 refused: %r" % (err,))
    time.sleep(2)
    raise RuntimeError("blocked: still running 2 s after SIGTERM to pid 1")


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
