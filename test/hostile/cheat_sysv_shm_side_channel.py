# hostile: encoder->decoder side channel via System V shared memory (shmget/shmat through ctypes, fixed key)
# expect-evaluate: forbidden_imports
# expect-direct: quality_floor
# expect-quality: low
#
# Why: ctypes is not allowed (forbidden_imports). SysV segments live in the IPC namespace, and
# each sandbox container gets its own (IpcMode "none": a private namespace, no /dev/shm), never
# joined. The encoder's segment disappears with its container; the decoder's shmget finds
# nothing and returns black frames (~2 dB) => quality_floor. An ok with high PSNR would mean the
# two containers shared an IPC namespace.
import ctypes
import ctypes.util

import numpy as np

IPC_CREAT = 0o1000
KEY_BASE = 0x0C0DEC00


def _libc():
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
    return libc


def compress_video_frame(frame, config):
    raw = np.ascontiguousarray(frame).tobytes()
    libc = _libc()
    segment = libc.shmget(KEY_BASE + config["frame_index"], len(raw), IPC_CREAT | 0o666)
    if segment >= 0:
        address = libc.shmat(segment, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(address, raw, len(raw))
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    size = shape[0] * shape[1] * 3
    libc = _libc()
    segment = libc.shmget(KEY_BASE + config["frame_index"], size, 0)
    if segment >= 0:
        address = libc.shmat(segment, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            return np.frombuffer(ctypes.string_at(address, size), np.uint8).reshape(shape).copy()
    return np.zeros(shape, np.uint8)
