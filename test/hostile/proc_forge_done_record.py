# hostile: protocol forgery: read the harness source, then write a bare "done" record into the child's result pipe and exit 0 without producing any frame
# expect-evaluate: forbidden_imports
# expect-direct: crashes
# expect-message: incomplete bitstream
#
# Why: os/re/stat are not allowed (forbidden_imports). Run directly, the codec finds the harness
# script through /proc/<ppid>/cmdline (readable even for a non-dumpable parent), takes the record
# layout from it (falling back to harness.py's "!BIQ" with REC_DONE=6), and sends a DONE record on
# every pipe it holds besides stdout/stderr, then exits 0. The harness believes the DONE (it
# cannot tell it from its child's own), so the run "finished" with zero bitstreams; the
# orchestrator checks that every frame came back and reports the codec exiting before it
# finished => crashes ("the encoder returned an incomplete bitstream"). Never ok and never
# sandbox_error.
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
    for fd in _result_pipes():
        try:
            os.write(fd, header.pack(kinds["REC_DONE"], 0, 0))
        except OSError:
            pass
    os._exit(0)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
