# hostile: segfault via ctypes (read a non-canonical address, 0xdead000000000000)
# expect-evaluate: forbidden_imports
# expect-direct: crashes
# expect-message: signal SIGSEGV
#
# Why: ctypes is not allowed (forbidden_imports). Run directly, the child dies of SIGSEGV, a
# signal other than the deadline kill => crashes ("the codec died on signal SIGSEGV"). The address
# is non-canonical on x86-64 (and outside the user address space with arm64 TBI), so the read
# always faults. (ctypes.string_at(0, n) does not: CPython passes the NULL pointer to
# PyBytes_FromStringAndSize, which then allocates n uninitialised bytes instead of reading
# address 0, and the codec returned a valid frame.) The container sets RLIMIT_CORE to 0: on a
# host whose core_pattern pipes to a helper, a crashing container process would otherwise start
# that helper on the host.
import ctypes

import numpy as np


def compress_video_frame(frame, config):
    ctypes.string_at(0xDEAD000000000000, 16)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
