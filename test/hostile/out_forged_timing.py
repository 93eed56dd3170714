# hostile: forged timing: claim a codec time of a nanosecond per run (to pass the adoption rule's speed check) by rewriting the harness's result on pid 1's stdout, while really sleeping
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*(Permission denied|No such file)
#
# Why: os and time are not allowed (forbidden_imports). Run directly, the only way to report a
# time is the harness's result, and /proc/1/fd/1 is closed to the codec (undumpable pid 1) =>
# "blocked", runtime_errors. Even a result that did carry a forged wall_s would change nothing:
# every speed figure is the orchestrator's own measurement of the run, and the container's time
# is advisory and bounded by it (a unit test in test/unit/evaluator.test.ts shows an fps cannot
# rise with the claim).
import json
import os
import time

import numpy as np


def compress_video_frame(frame, config):
    time.sleep(0.05)
    claim = json.dumps({"runs": [{"failure": None, "wall_s": 1e-9, "log": "", "log_truncated": False}]})
    try:
        fd = os.open("/proc/1/fd/1", os.O_WRONLY)
        os.write(fd, claim.encode())
    except OSError as error:
        raise RuntimeError("blocked: cannot reach the result channel: %s" % error)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return np.frombuffer(compressed, np.uint8).reshape(config["height"], config["width"], 3).copy()
