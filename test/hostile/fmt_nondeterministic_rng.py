# hostile: nondeterministic encoder: appends 16 bytes from an unseeded numpy RNG (OS entropy) to each frame
# expect-evaluate: nondeterministic
# expect-direct: nondeterministic
#
# Why: numpy is allowed, so validation passes. The smoke stage (which a direct run also goes
# through: only validation is skipped) encodes the clip twice in two fresh containers and the
# bitstreams differ => nondeterministic in both modes. An ok means the determinism check did
# not run or compared the wrong bytes.
import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    noise = np.random.default_rng().integers(0, 256, 16, dtype=np.uint8).tobytes()
    return {"compressed": _jpeg(frame, config) + noise, "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    return cv2.imdecode(np.frombuffer(compressed[:-16], np.uint8), cv2.IMREAD_COLOR)
