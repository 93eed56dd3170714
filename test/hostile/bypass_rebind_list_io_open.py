# hostile: validator bypass by rebinding: [io][0].open (the builtin open) as a /tmp side channel from encoder to decoder
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*No such file or directory
# host-marker: /tmp/codec-lab-pwned-bypass_rebind_list_io_open-0.raw
#
# Why: io.open was banned as a module attribute, but the ban followed only chains rooted at an
# imported name, so [io][0].open passed. The validator now refuses the attribute `open` on any
# receiver => forbidden_calls. Run directly, the encoder writes each raw frame into its own
# container's /tmp (a tmpfs; that must succeed and must never reach the host), sends one byte,
# and the decoder, in a fresh container, looks for the file: it is not there, so the decoder
# raises => runtime_errors. Finding it returns the exact frame (an ok at full quality from one
# byte per frame), which would show a channel between containers.
import io

import numpy as np


def _path(config):
    return "/tmp/codec-lab-pwned-bypass_rebind_list_io_open-%d.raw" % config["frame_index"]


def compress_video_frame(frame, config):
    with [io][0].open(_path(config), "wb") as handle:
        handle.write(np.ascontiguousarray(frame).tobytes())
    return {"compressed": b"\x00", "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    try:
        with [io][0].open(_path(config), "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise RuntimeError("blocked: the encoder's frame file is not in the decoder's container: %s" % error)
    return np.frombuffer(data, np.uint8).reshape(shape).copy()
