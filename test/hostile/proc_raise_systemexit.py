# hostile: `raise SystemExit(0)` with no import at all (the validator sees nothing forbidden)
# expect-evaluate: crashes
# expect-direct: crashes
#
# Why: SystemExit is an ordinary builtin name, so validation passes and smoke runs it. It is the
# same as sys.exit(0): the codec ends its process on its own => crashes, in the full pipeline too.
import numpy as np


def compress_video_frame(frame, config):
    raise SystemExit(0)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
