# hostile: encoder->decoder side channel through files in /tmp (encoder writes raw frames, decoder reads them, else zeros)
# expect-evaluate: forbidden_calls
# expect-direct: quality_floor
# expect-quality: low
# host-marker: /tmp/codec-lab-pwned-cheat_tmp_side_channel-0.raw
#
# Why: the builtin open is a forbidden call. Run directly the encoder's writes succeed in its own
# tmpfs, which vanishes with its container; the decoder's fresh /tmp has no such files, so it
# returns black frames (~2 dB) => quality_floor. An ok (high PSNR) would mean the decoder saw the
# encoder's /tmp. The files must not appear on the host either (host-marker).
import numpy as np


def _path(config):
    return "/tmp/codec-lab-pwned-cheat_tmp_side_channel-%d.raw" % config["frame_index"]


def compress_video_frame(frame, config):
    with open(_path(config), "wb") as handle:
        handle.write(np.ascontiguousarray(frame).tobytes())
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    try:
        with open(_path(config), "rb") as handle:
            return np.frombuffer(handle.read(), np.uint8).reshape(shape).copy()
    except (OSError, ValueError):
        return np.zeros(shape, np.uint8)
