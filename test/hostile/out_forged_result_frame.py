# hostile: forged result frame: write a complete, well-formed harness result (ok, 99 dB-worthy frames, 1 byte each) to the container's stdout through /proc/1/fd/1, before the harness does
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*(Permission denied|No such file)
#
# Why: os, io and tarfile are not allowed (forbidden_imports). Run directly, the container's
# stdout is the result channel, held by pid 1. With Docker's --init that was an init process of
# the codec's uid that a codec could inspect, so opening /proc/1/fd/1 and writing a length-
# prefixed tar ahead of the harness forged the whole result. Now the harness itself is pid 1
# and undumpable before any codec code runs (issue 11): /proc/1/fd is not the codec's to open,
# the codec raises "blocked" => runtime_errors. An ok here would mean a forged result was read.
import io
import json
import os
import struct
import tarfile

import numpy as np


def _forged(config):
    result = {"protocol": 1, "mode": "encode", "python": "3", "runs": [
        {"failure": None, "wall_s": 1e-9, "log": "", "log_truncated": False}]}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        entries = [("result.json", json.dumps(result).encode())]
        entries += [("run0/%06d.bin" % i, b"\x01") for i in range(64)]
        entries += [("run0/%06d.json" % i, b"{}") for i in range(64)]
        for name, payload in entries:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    data = buffer.getvalue()
    return struct.pack("!Q", len(data)) + data


def compress_video_frame(frame, config):
    try:
        fd = os.open("/proc/1/fd/1", os.O_WRONLY)
        os.write(fd, _forged(config))
    except OSError as error:
        raise RuntimeError("blocked: cannot write the container's stdout: %s" % error)
    return {"compressed": b"\x01", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return np.zeros((config["height"], config["width"], 3), np.uint8)
