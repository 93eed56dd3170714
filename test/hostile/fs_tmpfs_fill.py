# hostile: fill the /tmp tmpfs until the write fails, and leave it full
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: /tmp full after 6[34] MiB: .*(No space left on device|File too large)
# host-marker: /tmp/codec-lab-pwned-fs_tmpfs_fill
#
# Why: the builtin open is a forbidden call. Run directly the write fails after ~64 MiB and the
# codec raises => runtime_errors. Two errors are equally sound: the container's RLIMIT_FSIZE
# equals the tmpfs size, so this single file hits it first with EFBIG ("[Errno 27] File too
# large"; Python ignores SIGXFSZ), and a tmpfs that fills first gives ENOSPC ("No space left on
# device"). Either way /tmp stays (almost) full, so the harness must report the failure without
# needing /tmp space. tmpfs pages count against the 256 MiB memory cap, and 64 MiB plus the
# interpreter fits under it, so this must not become memory_exceeded. Writing 1 GiB without error
# means /tmp is not capped: the codec returns a valid frame and the test notices. The file is
# named like the host marker: it must never appear on the host.
import numpy as np


def compress_video_frame(frame, config):
    chunk = b"\x5a" * (1 << 20)
    written = 0
    try:
        with open("/tmp/codec-lab-pwned-fs_tmpfs_fill", "wb", buffering=0) as sink:
            while written < (1 << 30):
                sink.write(chunk)
                written += len(chunk)
    except OSError as err:
        raise RuntimeError("blocked: /tmp full after %d MiB: %s" % (written >> 20, err))
    return {"compressed": frame.tobytes(), "metadata": {"filled_mib": written >> 20}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
