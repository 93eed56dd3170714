# hostile: stderr flood through another process: write megabytes to pid 1's stderr (the container's own stderr, not the harness's capped log pipe)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors|output_flood
# max-wall-s: 20
#
# Why: os is not allowed (forbidden_imports). Run directly: with Docker's --init, pid 1 was an
# init of the codec's uid and /proc/1/fd/2 the container's stderr, which nothing capped: the run
# went on to its deadline (timeouts) while dockerd and Node read megabytes outside the cgroup.
# Now pid 1 is the undumpable harness, so opening it fails => runtime_errors ("blocked"); and
# should anything ever reach the container's stderr past 64 KiB, the orchestrator kills the run
# at once as output_flood (issue 11: every stream that leaves a container is capped).
import os

import numpy as np


def compress_video_frame(frame, config):
    try:
        fd = os.open("/proc/1/fd/2", os.O_WRONLY)
    except OSError as error:
        raise RuntimeError("blocked: cannot open pid 1's stderr: %s" % error)
    chunk = b"E" * (1 << 20)
    for _ in range(256):
        os.write(fd, chunk)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return np.frombuffer(compressed, np.uint8).reshape(config["height"], config["width"], 3).copy()
