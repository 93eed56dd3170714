# hostile: fork bomb: os.fork() in a loop, every child parks itself, until the pids cgroup limit refuses
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: fork\(\) failed after \d+ forks
# max-wall-s: 20
#
# Why: os and time are not allowed modules, so the validator stops this at forbidden_imports.
# Run directly, the container's pids limit (64 tasks, shared with tini and the harness) makes
# fork() fail with EAGAIN (BlockingIOError) after a few dozen forks; the codec then raises, which
# is an exception raised by codec code => runtime_errors. The parked children close every inherited
# descriptor first, so only the pids limit is under test here (res_orphan_grandchild.py covers
# descendants that keep the output pipe open). If 500 forks all succeed there is no pids limit:
# the codec returns a valid frame and the test notices.
import os
import time

import numpy as np


def compress_video_frame(frame, config):
    forks = 0
    try:
        while forks < 500:
            pid = os.fork()
            if pid == 0:
                try:
                    os.closerange(0, 65536)
                    while True:
                        time.sleep(3600)
                finally:
                    os._exit(0)  # a child must never return into the harness code
            forks += 1
    except OSError as err:
        raise RuntimeError("blocked: fork() failed after %d forks: %r" % (forks, err))
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
