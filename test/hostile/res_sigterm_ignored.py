# hostile: ignore/block every catchable signal (SIGTERM, SIGINT, SIGALRM, SIGXCPU, ...) then busy-loop
# expect-evaluate: forbidden_imports
# expect-direct: timeouts
#
# Why: signal is not an allowed module (forbidden_imports). Run directly, a deadline that sends
# SIGTERM or SIGALRM (or a soft RLIMIT_CPU's SIGXCPU) is ignored; only SIGKILL, which cannot be
# caught, blocked or ignored, ends the child => timeouts within the deadline, not at the
# orchestrator's backstop.
import signal

import numpy as np


def compress_video_frame(frame, config):
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGVTALRM", "SIGPROF",
                 "SIGXCPU", "SIGUSR1", "SIGUSR2", "SIGPIPE", "SIGTSTP"):
        try:
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        except (OSError, ValueError, AttributeError):
            pass
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    spins = 0
    while spins >= 0:
        spins += 1
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
