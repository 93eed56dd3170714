# hostile: metadata smuggling: the whole raw frame as base64 in metadata, an empty bitstream; the decoder rebuilds it exactly
# expect-evaluate: ok
# expect-direct: ok
# expect-bits: >=raw
#
# Why: legal under the contract (metadata may carry anything JSON-serialisable) and lossless, so
# ok both ways; it is honest only because metadata is counted: bits per frame = len(compressed)
# + len(canonical JSON of metadata) >= 4/3 x the raw frame size. The runner checks the counted
# bits are at least the raw size (expect-bits); a pipeline that counted only len(compressed)
# would score this as ~0 bits at infinite PSNR. The rate does not depend on quality, so the
# scorer may refuse a BD-rate for this codec; that is a scoring outcome, not a codec failure.
import base64

import numpy as np


def compress_video_frame(frame, config):
    payload = base64.b64encode(np.ascontiguousarray(frame).tobytes()).decode("ascii")
    return {"compressed": b"", "metadata": {"frame": payload}}


def decompress_video_frame(compressed, metadata, config):
    raw = base64.b64decode(metadata["frame"])
    return np.frombuffer(raw, np.uint8).reshape(config["height"], config["width"], 3).copy()
