# hostile: encoder->decoder side channel through a module global (encoder keeps every frame, decoder returns it if present, else zeros)
# expect-evaluate: quality_floor
# expect-direct: quality_floor
# expect-quality: low
#
# Why: nothing forbidden, and the code "works" when encoder and decoder share a process. They
# never do: the decoder runs in a fresh container, its _FRAMES is empty, it falls back to black
# frames (~2 dB luma PSNR) => quality_floor in both modes. An ok (high PSNR) would mean decoder
# and encoder shared state.
import numpy as np

_FRAMES = {}


def compress_video_frame(frame, config):
    _FRAMES[config["frame_index"]] = frame.copy()
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    stolen = _FRAMES.get(config["frame_index"])
    if stolen is not None:
        return stolen
    return np.zeros((config["height"], config["width"], 3), np.uint8)
