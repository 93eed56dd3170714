# hostile: validator bypass: cv2.writeOpticalFlow / cv2.readOpticalFlow (file I/O the cv2 ban list once missed) outside /tmp
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: writeOpticalFlow refused
# host-marker: /tmp/codec-lab-pwned-bypass_cv2_optflow.flo
#
# Why: OpenCV has more functions that take a path than the first cv2 ban list named
# (writeOpticalFlow, readOpticalFlow, ml *_load, Algorithm.save). contract.json now forbids the
# attributes writeOpticalFlow/readOpticalFlow, so the full pipeline stops this at validation =>
# forbidden_calls. Run directly, the container must confine it: writes under /etc, /usr and /
# fail (False or cv2.error) and the codec raises => runtime_errors. The /tmp write works inside
# the tmpfs and must not appear on the host. Any write outside /tmp returns a valid frame.
import cv2
import numpy as np


def compress_video_frame(frame, config):
    flow = np.zeros((4, 4, 2), np.float32)
    cv2.writeOpticalFlow("/tmp/codec-lab-pwned-bypass_cv2_optflow.flo", flow)
    accepted, refused = [], []
    for path in ("/etc/codec-lab-pwned.flo", "/usr/codec-lab-pwned.flo", "/codec-lab-pwned.flo"):
        try:
            (accepted if cv2.writeOpticalFlow(path, flow) else refused).append(path)
        except cv2.error as err:
            refused.append("%s %s" % (path, str(err).splitlines()[0][:80]))
    peek = cv2.readOpticalFlow("/etc/passwd")
    if accepted:
        return {"compressed": frame.tobytes(), "metadata": {"written": accepted}}
    raise RuntimeError("blocked: writeOpticalFlow refused %s; readOpticalFlow(/etc/passwd) empty=%s" % (
        refused, peek is None or peek.size == 0))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
