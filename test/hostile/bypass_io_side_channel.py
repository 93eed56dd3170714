# hostile: validator bypass + /tmp side channel: io._io.open (the builtin open behind io) to pass raw frames from encoder to decoder
# expect-evaluate: forbidden_calls
# expect-direct: quality_floor
# expect-quality: low
# host-marker: /tmp/codec-lab-pwned-bypass_io_side_channel-0.raw
#
# Why: io._io.open is the builtin open behind an attribute of the allowed io module. contract.json
# now forbids attribute access to `_io`, so the full pipeline stops it at validation =>
# forbidden_calls. Run directly, the cheat runs: the decoder's container is fresh, the files are
# not there, it returns black frames (~2 dB) => quality_floor (below 20 dB at the best quality).
# An ok with high PSNR would mean the decoder saw the encoder's /tmp.
import io

import numpy as np


def _path(config):
    return "/tmp/codec-lab-pwned-bypass_io_side_channel-%d.raw" % config["frame_index"]


def compress_video_frame(frame, config):
    with io._io.open(_path(config), "wb") as handle:
        handle.write(np.ascontiguousarray(frame).tobytes())
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    try:
        with io._io.open(_path(config), "rb") as handle:
            return np.frombuffer(handle.read(), np.uint8).reshape(shape).copy()
    except (OSError, ValueError):
        return np.zeros(shape, np.uint8)
