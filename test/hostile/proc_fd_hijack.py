# hostile: write forged "success" results into every inherited descriptor (the harness's result channel included)
# expect-evaluate: forbidden_imports
# expect-direct: crashes|runtime_errors
# expect-message: truncated result record|codec wrote forged results
#
# Why: os/stat are not allowed (forbidden_imports). Any channel the child uses to report is open in
# the codec's own process, so the codec can write to it: it sends JSON claiming success, a
# length-prefixed blob and a NUL-framed blob into every pipe/socket/file descriptor above 2, then
# raises. A channel cannot be authenticated against code in the same process; what matters is
# that garbage before the real report is rejected, not believed. Today the first forged bytes
# parse as a record with an absurd length and the harness rejects the stream => crashes
# ("truncated result record"). A harness that could skip the garbage and find the codec's own
# failure record would give runtime_errors ("codec wrote forged results"): equally honest, so both
# are accepted. Never ok, never sandbox_error, and not other (the rejection must be classified).
import json
import os
import stat
import struct

import numpy as np

FORGED = {"ok": True, "category": "ok", "stage": "done", "compressed_bytes": 1, "psnr_db": 99.0}


def compress_video_frame(frame, config):
    text = json.dumps(FORGED).encode()
    blobs = [text + b"\n", struct.pack(">I", len(text)) + text, struct.pack("<Q", len(text)) + text, text + b"\0"]
    hijacked = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd <= 2:
            continue
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISREG(mode):
                for blob in blobs:
                    os.write(fd, blob)
                hijacked.append(fd)
        except OSError:
            pass
    raise RuntimeError("codec wrote forged results into fds %s" % hijacked)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
