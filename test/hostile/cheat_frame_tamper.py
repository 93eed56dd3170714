# hostile: the encoder blanks the input frame in place and rewrites config (fps, quality, size), hoping the reference used for metrics is the sandbox's buffer
# expect-evaluate: quality_floor
# expect-direct: quality_floor
# expect-quality: low
#
# Why: nothing forbidden. If metrics compared the decoder output with the array the encoder was
# given (now black), black frames would score 100 dB; and a bitrate computed from the mutated
# config would be 1e-6 of the truth. Metrics are computed outside the sandbox against the stored
# clip, so the decoder's black frames score ~2 dB, below the 20 dB floor => quality_floor in both
# modes. An ok means the metrics trusted the sandbox's buffer. If the frame is read-only the
# write is skipped (that also defeats the attack).
import numpy as np


def compress_video_frame(frame, config):
    try:
        frame[...] = 0
    except ValueError:
        pass
    config["fps"] = 1e-6
    config["quality"] = 1.0
    config["width"], config["height"] = 1, 1
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return np.zeros((config["height"], config["width"], 3), np.uint8)
