# hostile: oversized metadata: an 8 MiB string in metadata with an empty bitstream
# expect-evaluate: return_format_error
# expect-direct: return_format_error
#
# Why: metadata is counted like the bitstream (len(compressed) + canonical JSON), so the same
# per-frame cap (4x raw + 64 KiB) must apply to the sum; 8 MiB exceeds it for the small test frames
# => return_format_error. Without such a cap, metadata would be an unbounded channel the
# bitstream cap does not see.
import numpy as np


def compress_video_frame(frame, config):
    return {"compressed": b"", "metadata": {"pad": "A" * (8 << 20)}}


def decompress_video_frame(compressed, metadata, config):
    return np.zeros((config["height"], config["width"], 3), np.uint8)
