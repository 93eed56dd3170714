# hostile: plant result-looking traps in every writable dir the harness may use: symlinks to /etc/passwd and /proc/*/environ, hardlinks, a dir symlink to /, FIFOs, a 1 TiB sparse file
# expect-evaluate: forbidden_imports
# expect-direct: ok
#
# Why: os is not allowed (forbidden_imports). Chosen expectation for direct: ok. The codec plants
# its traps and then returns a valid frame; a sound harness keeps its results in memory or on its
# own channel and never opens files in /tmp by guessable names after the codec ran (docs/ARCHITECTURE.md §5:
# results come out parsed in memory, regular files only). A harness that follows a trap shows it:
# leaked /etc/passwd or environ bytes, a hang on a FIFO (timeouts), a 1 TiB read (memory_exceeded),
# or a write through a symlink into the read-only root (sandbox_error) -- all test failures.
# Hardlinking /etc/passwd into /tmp fails (EXDEV, different filesystem) and is ignored.
import os

import numpy as np

NAMES = ["result.json", "results.json", "result.bin", "output.json", "output.bin", "out.json",
         "encoded.bin", "bitstream.bin", "decoded.npy", "decoded.bin", "frames.bin", "metrics.json",
         "status.json", "done", "stdout", "stderr", "log.txt", "result.tar", "results"]
TARGETS = ["/etc/passwd", "/proc/1/environ", "/proc/self/environ", "../../../../etc/passwd"]


def _dirs():
    found = {os.getcwd(), "/tmp", os.environ.get("HOME", "/tmp")}
    try:
        found.add(os.readlink("/proc/%d/cwd" % os.getppid()))
    except OSError:
        pass
    for top in [d for d in found if d != "/"]:
        for root, dirs, _files in os.walk(top):
            found.add(root)
            if root.count("/") > 4:
                dirs[:] = []
    return sorted(d for d in found if os.access(d, os.W_OK))


def _plant(directory, index):
    for number, name in enumerate(NAMES):
        path = os.path.join(directory, name)
        if os.path.lexists(path):
            continue  # never break the harness's own inputs; only occupy free names
        try:
            if number % 5 == 0:
                os.mkfifo(path)
            elif number % 5 == 1:
                os.symlink("/", path)
            elif number % 5 == 2:
                with open(path, "wb") as sparse:
                    sparse.truncate(1 << 40)
            else:
                os.symlink(TARGETS[(number + index) % len(TARGETS)], path)
        except OSError:
            pass
    for source, name in (("/etc/passwd", "result.hardlink"), (os.path.join(directory, NAMES[2]), "output.hardlink")):
        try:
            os.link(source, os.path.join(directory, name), follow_symlinks=False)
        except OSError:
            pass


def compress_video_frame(frame, config):
    if config["frame_index"] == 0:
        for index, directory in enumerate(_dirs()):
            _plant(directory, index)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
