# hostile: write kernel and cgroup knobs (core_pattern, overcommit, memory.max, pids.max, cgroup.procs, oom_score_adj)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: \d+ knob writes refused
#
# Why: os is not allowed (forbidden_imports). A writable /proc/sys/kernel/core_pattern is a known
# host escape, and a writable cgroup would let the codec lift its own memory/pids caps. Docker
# mounts /proc/sys and /sys/fs/cgroup read-only and the codec has no capabilities, so every write
# fails and the codec raises => runtime_errors. The writes are harmless if they succeed: each knob
# gets back the value it already had (oom_score_adj gets -1000, which affects only this process).
# Any accepted write returns a valid frame and the test notices.
import os

import numpy as np

KNOBS = ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/overcommit_memory", "/proc/sys/kernel/pid_max",
         "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.swap.max", "/sys/fs/cgroup/pids.max",
         "/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
         "/sys/fs/cgroup/pids/pids.max"]


def compress_video_frame(frame, config):
    accepted, refused = [], []
    for knob in KNOBS:
        try:
            with open(knob, "rb") as handle:
                current = handle.read()
            with open(knob, "wb", buffering=0) as handle:
                handle.write(current)
            accepted.append(knob)
        except OSError as err:
            refused.append("%s %s" % (knob, err.strerror))
    try:
        with open("/sys/fs/cgroup/cgroup.procs", "w") as handle:
            handle.write("%d\n" % os.getpid())
        accepted.append("cgroup.procs")
    except OSError as err:
        refused.append("cgroup.procs %s" % err.strerror)
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("-1000\n")
        accepted.append("oom_score_adj=-1000")
    except OSError as err:
        refused.append("oom_score_adj %s" % err.strerror)
    if accepted:
        return {"compressed": frame.tobytes(), "metadata": {"accepted": accepted}}
    raise RuntimeError("blocked: %d knob writes refused: %s" % (len(refused), "; ".join(refused)))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
