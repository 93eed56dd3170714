# hostile: execute code written to /tmp: a #! script, a copied ELF, the ld.so loader trick, and ctypes.CDLL of a copied .so
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*Permission denied
#
# Why: os, stat, glob, subprocess and ctypes are not allowed (forbidden_imports). Run directly,
# /tmp is mounted noexec: execve of the script and of the copied binary fails with EACCES
# (PermissionError), ld.so refuses to map a noexec file (non-zero exit), and dlopen fails with
# "failed to map segment" (OSError). The codec then raises => runtime_errors. Any of the four that
# runs returns a valid frame and the test notices. (Fileless exec via memfd is a separate case:
# fs_exec_memfd.py.)
import ctypes
import glob
import os
import stat
import subprocess

import numpy as np


def _copy(source, target):
    with open(source, "rb") as src, open(target, "wb") as dst:
        dst.write(src.read())
    os.chmod(target, stat.S_IRWXU)
    return target


def compress_video_frame(frame, config):
    attempts = []
    script = "/tmp/codec-lab-exec.sh"
    with open(script, "w") as handle:
        handle.write("#!/bin/sh\nexit 0\n")
    os.chmod(script, stat.S_IRWXU)
    elf = _copy("/bin/true", "/tmp/codec-lab-true")
    loaders = glob.glob("/lib64/ld-linux-*.so.*") + glob.glob("/lib/ld-linux-*.so.*")
    runs = [[script], [elf]] + [[loader, elf] for loader in loaders[:1]]
    for argv in runs:
        try:
            done = subprocess.run(argv, capture_output=True, timeout=3)
            if done.returncode == 0:
                return {"compressed": frame.tobytes(), "metadata": {"executed": argv}}
            attempts.append("%s exit %d %s" % (argv, done.returncode, done.stderr[:120]))
        except OSError as err:
            attempts.append("%s %s" % (argv, err))
    libraries = glob.glob("/lib/*-linux-gnu/libz.so.1") + glob.glob("/usr/lib/*-linux-gnu/libz.so.1")
    if libraries:
        try:
            ctypes.CDLL(_copy(libraries[0], "/tmp/codec-lab-lib.so"))
            return {"compressed": frame.tobytes(), "metadata": {"executed": "dlopen"}}
        except OSError as err:
            attempts.append("dlopen %s" % err)
    raise RuntimeError("blocked: " + "; ".join(attempts))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
