# hostile: fill /tmp to the last byte on the first frame (via io._io.open), then behave as a valid JPEG codec
# expect-evaluate: forbidden_calls
# expect-direct: ok
# host-marker: /tmp/codec-lab-pwned-fs_tmpfs_fill_then_ok
#
# Why: io._io.open is the builtin open reached through an attribute of the allowed io module;
# contract.json now forbids attribute access to `_io` => forbidden_calls in the full pipeline.
# Run directly, the codec fills /tmp and is otherwise a correct per-frame JPEG codec, so the right
# outcome is ok: the harness must not need free /tmp space after the codec ran (to write results,
# logs or decoded frames). A harness that did would fail here with sandbox_error or other, which
# would let any codec fake an infrastructure failure. (The single file stops at 64 MiB either on
# ENOSPC or on RLIMIT_FSIZE's EFBIG; both leave the tmpfs full.)
import io

import cv2
import numpy as np


def _fill_tmp():
    chunk = b"\x5a" * (1 << 20)
    try:
        with io._io.open("/tmp/codec-lab-pwned-fs_tmpfs_fill_then_ok", "wb", buffering=0) as sink:
            for _ in range(1024):
                sink.write(chunk)
    except OSError:
        pass  # full: exactly what was wanted


def compress_video_frame(frame, config):
    if config["frame_index"] == 0:
        _fill_tmp()
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return {"compressed": encoded.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
