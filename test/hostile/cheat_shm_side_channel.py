# hostile: encoder->decoder side channel via /dev/shm (a plain file there, and multiprocessing.shared_memory)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: no /dev/shm
#
# Why: multiprocessing is not allowed (forbidden_imports). The sandbox has no /dev/shm (and even
# a private one would die with the encoder's container), so both writes fail and the encoder
# raises => runtime_errors. If /dev/shm is writable the encoder returns a 1-byte frame and the
# decoder tries the same names, falling back to zeros: a run that comes back ok means /dev/shm
# exists, and high PSNR would mean it is shared between containers.
from multiprocessing import shared_memory

import numpy as np


def _name(config):
    return "codec-lab-side-%d" % config["frame_index"]


def compress_video_frame(frame, config):
    raw = np.ascontiguousarray(frame).tobytes()
    errors = []
    try:
        with open("/dev/shm/" + _name(config), "wb") as handle:
            handle.write(raw)
    except OSError as err:
        errors.append("open: %s" % err.strerror)
    try:
        block = shared_memory.SharedMemory(name=_name(config), create=True, size=len(raw))
        block.buf[: len(raw)] = raw
        block.close()
    except OSError as err:
        errors.append("shared_memory: %s" % err.strerror)
    if len(errors) == 2:
        raise RuntimeError("blocked: no /dev/shm: " + "; ".join(errors))
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    try:
        block = shared_memory.SharedMemory(name=_name(config))
        return np.frombuffer(bytes(block.buf[: shape[0] * shape[1] * 3]), np.uint8).reshape(shape).copy()
    except (OSError, ValueError):
        return np.zeros(shape, np.uint8)
