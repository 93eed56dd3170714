# hostile: thread bomb: start parked threads until thread creation fails
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: thread start failed after \d+ threads
#
# Why: threading is not an allowed module (forbidden_imports). Run directly, every thread is a
# task in the pids cgroup (limit 64), so Thread.start() raises RuntimeError("can't start new
# thread") after a few dozen; the codec re-raises with a description => runtime_errors. The
# threads are daemons blocked on an Event, so the harness child can still exit. 2000 successful
# starts mean there is no pids limit: the codec returns a valid frame and the test notices.
import threading

import numpy as np


def compress_video_frame(frame, config):
    park = threading.Event()
    started = 0
    try:
        while started < 2000:
            thread = threading.Thread(target=park.wait, daemon=True)
            thread.start()
            started += 1
    except (RuntimeError, OSError) as err:
        raise RuntimeError("blocked: thread start failed after %d threads: %r" % (started, err))
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
