# hostile: read the harness parent's memory through /proc/<ppid>/mem (and its environ, maps)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: parent memory unreadable
#
# Why: os is not allowed (forbidden_imports). Reading another process's memory needs ptrace
# access. With all capabilities dropped this depends on the parent: the harness parent should make
# itself non-dumpable (prctl PR_SET_DUMPABLE 0), and hosts with Yama ptrace_scope >= 1 refuse a
# non-descendant anyway, so open/read fails with EACCES/EPERM and the codec raises =>
# runtime_errors. If 64 bytes of the parent's memory can be read, the codec could also rewrite
# the parent's bookkeeping: it returns a valid frame and the test notices.
import os

import numpy as np


def compress_video_frame(frame, config):
    parent = os.getppid()
    notes = []
    try:
        with open("/proc/%d/maps" % parent) as maps:
            regions = [row.split()[0] for row in maps.read().splitlines() if row.split()[1].startswith("r")]
    except OSError as err:
        regions = []
        notes.append("maps %s" % err.strerror)
    try:
        with open("/proc/%d/mem" % parent, "rb", buffering=0) as memory:
            for region in regions[:8]:
                memory.seek(int(region.split("-")[0], 16))
                if len(memory.read(64)) == 64:
                    return {"compressed": frame.tobytes(), "metadata": {"read_parent": region}}
    except OSError as err:
        notes.append("mem %s" % err.strerror)
    raise RuntimeError("blocked: parent memory unreadable (%d regions seen): %s" % (len(regions), "; ".join(notes)))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
