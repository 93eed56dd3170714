# hostile: cv2.imwrite outside /tmp (/etc, /usr, /) and cv2.imread of host files
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: cv2\.imwrite refused
# host-marker: /tmp/codec-lab-pwned-fs_cv2_file_io.png
#
# Why: cv2.imwrite and cv2.imread are banned attributes of cv2 (forbidden_calls). Run directly,
# the root filesystem is read-only, so imwrite outside /tmp returns False (or raises cv2.error) and
# the codec raises => runtime_errors. imwrite into /tmp works (tmpfs) and must not show up on the
# host (host-marker). imread of /etc/shadow is refused and of /etc/passwd yields None (not an
# image): OpenCV gives no way to read arbitrary host files, and there are none to read anyway.
import cv2
import numpy as np


def compress_video_frame(frame, config):
    accepted, refused = [], []
    cv2.imwrite("/tmp/codec-lab-pwned-fs_cv2_file_io.png", frame)
    for path in ("/etc/codec-lab-pwned.png", "/usr/codec-lab-pwned.png", "/codec-lab-pwned.png",
                 "/var/tmp/codec-lab-pwned.png"):
        try:
            (accepted if cv2.imwrite(path, frame) else refused).append(path)
        except cv2.error as err:
            refused.append("%s %s" % (path, str(err).splitlines()[0][:80]))
    peeks = {path: cv2.imread(path) is not None for path in ("/etc/shadow", "/etc/passwd", "/proc/1/environ")}
    if accepted:
        return {"compressed": frame.tobytes(), "metadata": {"written": accepted}}
    raise RuntimeError("blocked: cv2.imwrite refused %s; imread images found: %s" % (refused, peeks))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
