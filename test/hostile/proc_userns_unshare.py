# hostile: unshare(CLONE_NEWUSER|CLONE_NEWNS) via libc to become "root" in a new user namespace, then mount a tmpfs
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: unshare refused
#
# Why: ctypes is not allowed (forbidden_imports). Unprivileged user namespaces are the usual first
# step of container-escape exploits; Docker's default seccomp profile refuses unshare of a user
# namespace without CAP_SYS_ADMIN (EPERM), and no-new-privileges plus dropped capabilities leave
# nothing else. The codec raises => runtime_errors. If unshare succeeds the codec returns a valid
# frame and the test notices.
import ctypes
import ctypes.util

import numpy as np

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000


def compress_video_frame(frame, config):
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    results = []
    for flags, label in ((CLONE_NEWUSER | CLONE_NEWNS, "user+mount"), (CLONE_NEWUSER, "user"), (CLONE_NEWNS, "mount")):
        if libc.unshare(flags) == 0:
            mounted = libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)
            return {"compressed": frame.tobytes(), "metadata": {"unshared": label, "mount": mounted}}
        results.append("%s errno %d" % (label, ctypes.get_errno()))
    raise RuntimeError("blocked: unshare refused: " + "; ".join(results))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
