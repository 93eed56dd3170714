# hostile: the decoder searches its container's filesystem for the source video (raw/y4m/npy/avi/... files big enough to hold a frame) and returns their bytes
# expect-evaluate: forbidden_imports
# expect-direct: quality_floor
# expect-quality: low
#
# Why: os is not allowed (forbidden_imports). The decoder container receives only bitstreams and
# metadata, so nothing it can find holds the source frames: it returns zeros or unrelated bytes,
# the best (only) quality point is far below 20 dB luma PSNR => quality_floor. An ok with high
# PSNR means the source clip (or decoded frames of another run) was reachable from the decoder.
# The walk is bounded (20 000 entries, no /proc or /sys) to stay well inside the deadline.
import os

import numpy as np

SUFFIXES = (".y4m", ".yuv", ".raw", ".rgb", ".bgr", ".npy", ".npz", ".avi", ".mp4", ".mkv", ".mov",
            ".png", ".bin", ".frames", ".tar")
ROOTS = ["/tmp", os.getcwd(), "/mnt", "/data", "/input", "/inputs", "/clips", "/work", "/srv", "/home", "/"]


def _candidates(need):
    seen = 0
    for top in ROOTS:
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev", "/usr", "/lib")]
            for name in files:
                seen += 1
                if seen > 20000:
                    return
                path = os.path.join(root, name)
                if name.lower().endswith(SUFFIXES) or "frame" in name.lower() or "clip" in name.lower():
                    try:
                        if os.path.getsize(path) >= need:
                            yield path
                    except OSError:
                        pass


def compress_video_frame(frame, config):
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    need = shape[0] * shape[1] * 3
    for path in _candidates(need):
        try:
            with open(path, "rb") as handle:
                handle.seek(need * config["frame_index"])
                data = handle.read(need)
            if len(data) == need:
                return np.frombuffer(data, np.uint8).reshape(shape).copy()
        except OSError:
            continue
    return np.zeros(shape, np.uint8)
