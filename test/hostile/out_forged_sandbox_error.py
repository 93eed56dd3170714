# hostile: forged excuse: claim an infrastructure failure (sandbox_error) through pid 1's stdout, and else through the harness's own result pipe
# expect-evaluate: forbidden_imports
# expect-direct: crashes
# expect-message: (invalid failure record|only the orchestrator decides)
#
# Why: os is not allowed (forbidden_imports). Run directly: a sandbox_error would excuse the
# codec as the infrastructure's fault. /proc/1/fd/1 is closed to the codec (the harness is an
# undumpable pid 1), so it falls back to the pipe it does hold, the child's result pipe, and
# writes a failure record saying sandbox_error. The harness accepts only codec categories from
# its child (an invalid record => crashes), and the orchestrator never takes sandbox_error from
# a container anyway (issue 11) => crashes, never sandbox_error.
import json
import os
import stat
import struct

import numpy as np

RECORD = struct.Struct("!BIQ")
REC_FAILURE = 5


def compress_video_frame(frame, config):
    payload = json.dumps({"category": "sandbox_error", "message": "docker hiccup, not my fault"}).encode()
    record = RECORD.pack(REC_FAILURE, 0, len(payload)) + payload
    try:
        fd = os.open("/proc/1/fd/1", os.O_WRONLY)
        os.write(fd, struct.pack("!Q", len(record)) + record)
    except OSError:
        log_inode = os.fstat(1).st_ino
        for name in os.listdir("/proc/self/fd"):
            try:
                info = os.fstat(int(name))
            except OSError:
                continue
            if int(name) > 2 and stat.S_ISFIFO(info.st_mode) and info.st_ino != log_inode:
                os.write(int(name), record)
    os._exit(0)


def decompress_video_frame(compressed, metadata, config):
    return np.zeros((config["height"], config["width"], 3), np.uint8)
