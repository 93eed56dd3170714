# hostile: encoder->decoder side channel through config['state'] (frames stored by the encoder, looked up by the decoder)
# expect-evaluate: quality_floor
# expect-direct: quality_floor
# expect-quality: low
#
# Why: config['state'] is legal for reference frames but belongs to one side only (docs/ARCHITECTURE.md §2).
# The decoder's state starts empty in its own container, so it returns black frames (~2 dB) =>
# quality_floor in both modes. An ok (high PSNR) would mean the state dict was shared.
import numpy as np


def compress_video_frame(frame, config):
    config["state"].setdefault("frames", {})[config["frame_index"]] = frame.copy()
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    stolen = config["state"].get("frames", {}).get(config["frame_index"])
    if stolen is not None:
        return stolen
    return np.zeros((config["height"], config["width"], 3), np.uint8)
