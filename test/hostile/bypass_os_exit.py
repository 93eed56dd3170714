# hostile: validator bypass: typing.sys.modules['os']._exit(0) (exit status 0, no result, no exception)
# expect-evaluate: forbidden_calls
# expect-direct: crashes
#
# Why: when written, typing.sys (sys re-exported by an allowed module) passed the validator.
# contract.json now forbids attribute access to `sys` and `modules`, so the full pipeline stops it
# at validation => forbidden_calls. Run directly, the bypass still reaches os._exit: the child
# vanishes with exit status 0 and no result, i.e. the codec exited on its own => crashes. A harness
# that treats exit status 0 as success fails this.
import typing

import numpy as np


def compress_video_frame(frame, config):
    typing.sys.modules["os"]._exit(0)
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
