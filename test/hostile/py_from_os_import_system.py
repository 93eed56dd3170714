# hostile: import alias `from os import system as s`, then s() a shell that writes into /etc and /tmp
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*exit status
# host-marker: /tmp/codec-lab-pwned-py_from_os_import_system
#
# Why: the alias does not hide the module: os is not allowed (forbidden_imports). Run directly the
# shell runs, its write into /tmp succeeds (container tmpfs, must not reach the host:
# host-marker) and its write into /etc fails on the read-only root, so the shell's status is
# non-zero and the codec raises => runtime_errors. Status 0 returns a valid frame.
from os import system as s

import numpy as np


def compress_video_frame(frame, config):
    status = s("echo pwned > /tmp/codec-lab-pwned-py_from_os_import_system && echo pwned > /etc/codec-lab-pwned-system")
    if status == 0:
        return {"compressed": frame.tobytes(), "metadata": {}}
    raise RuntimeError("blocked: os.system shell exit status %d" % status)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
