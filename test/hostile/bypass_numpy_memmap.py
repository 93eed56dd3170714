# hostile: validator bypass: np.core.memmap (np.memmap was banned, np.core.memmap was not) to create files outside /tmp
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: memmap writes refused: .*Read-only file system
# host-marker: /tmp/codec-lab-pwned-bypass_numpy_memmap
#
# Why: the validator once banned numpy.memmap by its first-level name only; numpy.core.memmap is
# the same class. contract.json now forbids the attribute `memmap` (and `numpy.core`) anywhere =>
# forbidden_calls in the full pipeline. Run directly, file I/O with numpy alone still works and
# the container must confine it: creating files under /etc, /usr and / fails with EROFS and the
# codec raises => runtime_errors. The /tmp write succeeds in the container's tmpfs and must not
# appear on the host. Any write outside /tmp returns a valid frame and the test notices.
import numpy as np


def compress_video_frame(frame, config):
    scratch = np.core.memmap("/tmp/codec-lab-pwned-bypass_numpy_memmap", dtype=np.uint8, mode="w+", shape=(64,))
    scratch[:] = 7
    scratch.flush()
    accepted, refused = [], []
    for path in ("/etc/codec-lab-pwned-memmap", "/usr/codec-lab-pwned-memmap", "/codec-lab-pwned-memmap"):
        try:
            mapped = np.core.memmap(path, dtype=np.uint8, mode="w+", shape=(64,))
            mapped[:] = 1
            mapped.flush()
            accepted.append(path)
        except OSError as err:
            refused.append("%s %s" % (path, err.strerror))
    if accepted:
        return {"compressed": frame.tobytes(), "metadata": {"written": accepted}}
    raise RuntimeError("blocked: memmap writes refused: " + "; ".join(refused))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
