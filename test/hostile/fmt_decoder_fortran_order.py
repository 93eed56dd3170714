# hostile: decoder returns a correct frame in Fortran (column-major) memory order, not C order
# expect-evaluate: ok
# expect-direct: ok
#
# Why: shape (h, w, 3) and dtype uint8 are right, so the frame is valid under the contract => ok
# both ways. A harness that serialises with memoryview/ndarray.data on the raw buffer would ship
# the pixels transposed (terrible PSNR) or fail on the non-contiguous layout; it must use C order
# (np.ascontiguousarray / tobytes).
import cv2
import numpy as np


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    return {"compressed": _jpeg(frame, config), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    image = cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
    return np.asfortranarray(image)
