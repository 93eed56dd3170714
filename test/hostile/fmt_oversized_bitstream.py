# hostile: oversized bitstream: 60 MiB of bytes for one (small) frame
# expect-evaluate: return_format_error
# expect-direct: return_format_error
#
# Why: the harness caps one frame's bitstream at 4x the raw frame size + 64 KiB; 60 MiB is far over
# that for any test frame (up to ~15 MB raw) => return_format_error. The harness must check the
# length before copying, encoding or shipping it: 60 MiB twice or three times over would otherwise
# turn this into memory_exceeded under the 256 MiB cap.
import numpy as np


def compress_video_frame(frame, config):
    return {"compressed": bytes(60 << 20), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return np.zeros((config["height"], config["width"], 3), np.uint8)
