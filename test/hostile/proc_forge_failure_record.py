# hostile: protocol forgery: a failure record claiming "sandbox_error" (infrastructure fault) written into the child's result pipe, then exit 0
# expect-evaluate: forbidden_imports
# expect-direct: crashes
# expect-message: invalid failure record
#
# Why: os/re/stat/json are not allowed (forbidden_imports). Run directly, the codec learns the
# record layout from the harness source (as in proc_forge_done_record.py) and reports its own
# run as an infrastructure failure, which would make the orchestrator retry it or excuse it. The
# harness accepts from a child only codec-fault categories (syntax_errors, missing_function,
# return_format_error, decode_mismatch, runtime_errors, memory_exceeded, crashes); any other
# failure record is itself the codec forging the channel => crashes ("the codec wrote an invalid
# failure record into the harness channel"). Never sandbox_error, never ok.
import json
import os
import re
import stat
import struct

import numpy as np


def _protocol():
    layout, kinds = "!BIQ", {"REC_DONE": 6, "REC_FAILURE": 5}
    try:
        with open("/proc/%d/cmdline" % os.getppid(), "rb") as handle:
            scripts = [a.decode() for a in handle.read().split(b"\0") if a.endswith(b".py")]
        for script in scripts:
            with open(script, encoding="utf-8") as handle:
                source = handle.read()
            found = re.search(r'RECORD_HEADER = struct\.Struct\("([^"]+)"\)', source)
            layout = found.group(1) if found else layout
            for names, values in re.findall(r"^(REC_[A-Z_, ]+) = ([0-9, ]+)$", source, re.M):
                kinds.update(zip([n.strip() for n in names.split(",")], [int(v) for v in values.split(",")]))
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    return struct.Struct(layout), kinds


def _result_pipes():
    log_inode = os.fstat(1).st_ino
    pipes = []
    for name in os.listdir("/proc/self/fd"):
        try:
            info = os.fstat(int(name))
        except OSError:
            continue
        if int(name) > 2 and stat.S_ISFIFO(info.st_mode) and info.st_ino != log_inode:
            pipes.append(int(name))
    return pipes


def compress_video_frame(frame, config):
    header, kinds = _protocol()
    payload = json.dumps({"category": "sandbox_error", "message": "docker: container runtime unavailable"}).encode()
    for fd in _result_pipes():
        try:
            os.write(fd, header.pack(kinds["REC_FAILURE"], 0, len(payload)) + payload)
        except OSError:
            pass
    os._exit(0)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
