# hostile: segfault with numpy alone: an object whose __array_interface__ points at address 16
# expect-evaluate: forbidden_calls
# expect-direct: crashes
# expect-message: signal SIGSEGV
#
# Why: contract.json now forbids the attribute `__array_interface__` => forbidden_calls in the
# full pipeline. Run directly, numpy trusts the pointer, and reading it kills the child with
# SIGSEGV => crashes ("the codec died on signal SIGSEGV"). The same trick gives arbitrary reads
# and writes of process memory with only numpy imported, and the name ban is easy to sidestep:
# type("P", (), {"__array_" + "interface__": {...}}) passes the validator and segfaults the same
# way. The validator cannot be the boundary: the container is.
import numpy as np


class _Pointer:
    __array_interface__ = {"data": (16, False), "shape": (4096,), "typestr": "|u1", "version": 3}


def compress_video_frame(frame, config):
    stolen = np.asarray(_Pointer())
    return {"compressed": frame.tobytes(), "metadata": {"sum": int(stolen.sum())}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
