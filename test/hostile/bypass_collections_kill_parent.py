# hostile: validator bypass: collections._sys.modules['os'].kill(getppid(), SIGKILL), so the full pipeline meets a dead harness
# expect-evaluate: forbidden_calls
# expect-direct: crashes
#
# Why: when written, collections._sys (sys re-exported by an allowed module) passed the validator.
# contract.json now forbids attribute access to `modules` (and `_sys`, `sys`, `os`, ...), so the
# full pipeline stops it at validation => forbidden_calls, and the harness is never attacked in
# that mode. Run directly, the bypass still reaches os.kill and kills the harness parent: the
# container ends without a result, and the orchestrator must report crashes (the codec killed the
# harness), never sandbox_error. If the parent could not be signalled (another uid), the codec
# would raise instead (runtime_errors); the harness parent runs as the codec's uid, so it is
# crashes.
import collections

import numpy as np


def compress_video_frame(frame, config):
    os_module = collections._sys.modules["os"]
    parent = os_module.getppid()
    try:
        os_module.kill(parent, 9)
    except OSError as err:
        raise RuntimeError("blocked: cannot signal the harness parent: %r" % (err,))
    spins = 0
    while spins < 100_000_000:  # ~2 s without importing time: let the kill take effect
        spins += 1
    raise RuntimeError("blocked: harness parent %d survived SIGKILL" % parent)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
