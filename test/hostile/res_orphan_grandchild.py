# hostile: double fork + setsid: an orphan escapes the process group, keeps stdout/stderr open, floods late
# expect-evaluate: forbidden_imports
# expect-direct: ok|output_flood
# max-wall-s: 20
#
# Why: os/time are not allowed (forbidden_imports). Run directly, the codec itself returns a valid
# frame at once, but leaves a grandchild in its own session (a process-group kill misses it) that
# holds the output pipe, writes 1 MiB to stdout and stderr after 2 s and then sleeps for an hour.
# Two outcomes are sound: ok if the harness ends the run when the child exits (the container is
# then removed with the orphan in it), or output_flood if it keeps reading the pipes the orphan
# holds, as harness.py does today (the late flood passes the 64 KiB cap at ~2 s; about 4 s in
# all). The flood is really the codec's doing, so output_flood is honest. timeouts is no longer
# accepted: the flood always comes before the 10 s deadline. The real assertions are max-wall-s
# and that no container or process is left behind.
import os
import time

import numpy as np


def _orphan():
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    time.sleep(2)
    blob = b"late output from an orphan grandchild\n" * 28000
    for fd in (1, 2):
        try:
            os.write(fd, blob)
        except OSError:
            pass
    time.sleep(3600)


def compress_video_frame(frame, config):
    if config["frame_index"] == 0:
        pid = os.fork()
        if pid == 0:
            try:
                _orphan()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
