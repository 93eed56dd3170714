# hostile: privilege escalation attempts (setuid(0), setgid(0), setgroups) and a self-check of uid, capabilities, no_new_privs, seccomp
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: uid=10001 .*CapEff=0000000000000000 CapPrm=0000000000000000 .*NoNewPrivs=1 Seccomp=2
#
# Why: os is not allowed (forbidden_imports). The container runs as uid 10001 with every capability
# dropped, no-new-privileges and Docker's default seccomp filter, so setuid/setgid fail with EPERM
# and the codec raises with the facts from /proc/self/status => runtime_errors, and expect-message
# checks those facts. If an escalation succeeds the codec returns a valid frame and the test
# notices.
import os

import numpy as np


def _status():
    facts = {}
    with open("/proc/self/status") as status:
        for row in status.read().splitlines():
            key, _, value = row.partition(":")
            facts[key] = value.split()[0] if value.split() else ""
    return facts


def compress_video_frame(frame, config):
    gained = []
    for label, attempt in (("setgroups", lambda: os.setgroups([0])), ("setgid", lambda: os.setgid(0)),
                           ("setuid", lambda: os.setuid(0))):
        try:
            attempt()
            gained.append(label)
        except OSError:
            pass
    if gained or os.geteuid() == 0:
        return {"compressed": frame.tobytes(), "metadata": {"gained": gained}}
    s = _status()
    raise RuntimeError("blocked: uid=%d gid=%d CapEff=%s CapPrm=%s CapBnd=%s NoNewPrivs=%s Seccomp=%s" % (
        os.getuid(), os.getgid(), s.get("CapEff"), s.get("CapPrm"), s.get("CapBnd"), s.get("NoNewPrivs"), s.get("Seccomp")))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
