# hostile: validator bypass: collections._sys.modules['os'].kill(getppid(), SIGKILL), so the full pipeline meets a dead harness
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
#
# Why: when written, collections._sys (sys re-exported by an allowed module) passed the validator.
# contract.json now forbids attribute access to `modules` (and `_sys`, `sys`, `os`, ...), so the
# full pipeline stops it at validation => forbidden_calls, and the harness is never attacked in
# that mode. Run directly, the bypass reaches os.kill, but the harness parent is the container's
# pid 1 (issue 11): the kernel delivers no signal to a namespace's init from inside it unless
# the init handles it, and SIGKILL never, so the parent survives and the codec raises
# (runtime_errors). Had it died, the orchestrator would report crashes (the codec killed the
# harness), never sandbox_error.
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
    while spins < 10_000_000:  # ~0.5 s without importing time: let the kill take effect
        spins += 1
    raise RuntimeError("blocked: harness parent %d survived SIGKILL" % parent)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
