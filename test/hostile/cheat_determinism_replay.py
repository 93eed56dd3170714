# hostile: defeat the determinism check: a nondeterministic encoder that caches each bitstream in /tmp (io._io.open) and replays it on the repeat run
# expect-evaluate: forbidden_calls
# expect-direct: nondeterministic
#
# Why: io._io.open is the builtin open behind the allowed io module; contract.json now forbids
# attribute access to `_io` => forbidden_calls in the full pipeline. Run directly, each frame
# carries 16 unseeded random bytes, so two honest encodes differ; the first encode saves every
# bitstream in /tmp so that a second encode seeing the same /tmp would replay them byte for byte.
# The smoke stage encodes twice in two separate fresh containers, so the repeat cannot see the
# first one's files => nondeterministic. An ok means both encodes shared a /tmp (or one
# container), and the determinism check can be defeated.
import io

import cv2
import numpy as np


def _path(config):
    return "/tmp/codec-lab-replay-%.4f-%d.bin" % (float(config["quality"]), config["frame_index"])


def compress_video_frame(frame, config):
    try:
        with io._io.open(_path(config), "rb") as cached:
            return {"compressed": cached.read(), "metadata": {}}
    except OSError:
        pass
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    data = encoded.tobytes() + np.random.default_rng().integers(0, 256, 16, dtype=np.uint8).tobytes()
    with io._io.open(_path(config), "wb") as cache:
        cache.write(data)
    return {"compressed": data, "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed[:-16], np.uint8), cv2.IMREAD_COLOR)
