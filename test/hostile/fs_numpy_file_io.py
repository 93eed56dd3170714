# hostile: numpy file I/O: np.save / ndarray.tofile outside /tmp, np.load of host files
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: numpy writes refused: .*Read-only file system
# host-marker: /tmp/codec-lab-pwned-fs_numpy_file_io.npy
#
# Why: np.save, np.load and .tofile are banned (forbidden_calls). Run directly, writes outside /tmp
# hit the read-only root (EROFS) and the codec raises => runtime_errors. A write inside /tmp
# succeeds (tmpfs) and must not appear on the host. np.load of /etc/passwd fails without
# allow_pickle (ValueError), which shows np.load never executes a pickle by default.
import numpy as np


def compress_video_frame(frame, config):
    np.save("/tmp/codec-lab-pwned-fs_numpy_file_io.npy", frame)
    accepted, refused = [], []
    for path in ("/etc/codec-lab-pwned.npy", "/usr/lib/codec-lab-pwned.npy", "/codec-lab-pwned.npy"):
        try:
            np.save(path, frame)
            accepted.append(path)
        except OSError as err:
            refused.append("%s %s" % (path, err.strerror))
    try:
        frame.tofile("/etc/codec-lab-pwned.raw")
        accepted.append("tofile")
    except OSError as err:
        refused.append("tofile %s" % err.strerror)
    try:
        np.load("/etc/passwd")
        loaded = "loaded"
    except (ValueError, OSError) as err:
        loaded = type(err).__name__
    if accepted:
        return {"compressed": frame.tobytes(), "metadata": {"written": accepted}}
    raise RuntimeError("blocked: numpy writes refused: %s; np.load(/etc/passwd): %s" % ("; ".join(refused), loaded))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
