# hostile: pickle file I/O: write a malicious pickle to /tmp and pickle.load it (runs a shell that writes into /etc), plus pickle.dump outside /tmp
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*Read-only file system
#
# Why: pickle is not allowed (forbidden_imports). Run directly, unpickling does execute the
# payload (pickle is code execution by design; inside the sandbox that is no more than the codec
# can already do), but what the code then tries is confined: the shell cannot create
# /etc/codec-lab-pwned (read-only root, non-zero exit status) and pickle.dump to /etc fails with
# EROFS, so the codec raises => runtime_errors. Exit status 0 or a successful dump returns a valid
# frame and the test notices.
import pickle

import numpy as np

PAYLOAD = b"cos\nsystem\n(S'echo pwned > /etc/codec-lab-pwned-pickle'\ntR."


def compress_video_frame(frame, config):
    with open("/tmp/codec-lab-payload.pkl", "wb") as handle:
        handle.write(PAYLOAD)
    with open("/tmp/codec-lab-payload.pkl", "rb") as handle:
        status = pickle.load(handle)
    try:
        with open("/etc/codec-lab-pwned.pkl", "wb") as handle:
            pickle.dump({"frame": frame}, handle)
        dumped = "dumped"
    except OSError as err:
        dumped = err.strerror
    if status == 0 or dumped == "dumped":
        return {"compressed": frame.tobytes(), "metadata": {"status": status}}
    raise RuntimeError("blocked: payload shell exit status %d; pickle.dump to /etc: %s" % (status, dumped))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
