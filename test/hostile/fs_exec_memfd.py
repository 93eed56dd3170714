# hostile: fileless exec: copy /bin/true into a memfd and execve /proc/self/fd/N (sidesteps noexec on /tmp)
# expect-evaluate: forbidden_imports
# expect-direct: ok|runtime_errors
#
# Why: os/subprocess are not allowed (forbidden_imports). Documents a limit, not a hole: noexec on
# /tmp does not stop a memfd, and on most kernels (vm.memfd_noexec=0, Docker's default seccomp
# profile allows memfd_create) this exec succeeds => the codec returns a valid frame => ok. That is
# acceptable because running a native binary gives nothing Python cannot already do through
# ctypes: the container (no network, no caps, caps on memory/pids, read-only root) is the
# boundary, noexec is only depth. On a hardened kernel (memfd_noexec=2) or with a stricter seccomp
# profile the exec fails and the codec raises => runtime_errors. Both are accepted because the
# outcome depends on the host kernel, not on codec-lab (calibration host: ok).
import os
import subprocess

import numpy as np


def compress_video_frame(frame, config):
    try:
        fd = os.memfd_create("codec-lab", 0)
        with open("/bin/true", "rb") as source:
            os.write(fd, source.read())
        done = subprocess.run(["/proc/self/fd/%d" % fd], pass_fds=(fd,), timeout=3)
    except OSError as err:
        raise RuntimeError("blocked: memfd exec refused: %r" % (err,))
    if done.returncode != 0:
        raise RuntimeError("blocked: memfd exec exited %d" % done.returncode)
    return {"compressed": frame.tobytes(), "metadata": {"memfd_exec": True}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
