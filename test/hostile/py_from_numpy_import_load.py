# hostile: import-alias evasion `from numpy import load as l`, then l(..., allow_pickle=True) on a crafted pickle
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*exit status
#
# Why: the validator resolves `from numpy import load as l` to numpy.load, a banned attribute, and
# reports it as a forbidden import. Run directly, np.load with allow_pickle=True unpickles the file,
# which runs a shell that tries to write into the read-only root; the shell fails (status != 0)
# and the codec raises => runtime_errors. Status 0 returns a valid frame and the test notices.
from numpy import frombuffer as fb
from numpy import load as l

import numpy as np

PAYLOAD = b"cos\nsystem\n(S'echo pwned > /usr/codec-lab-pwned-npload'\ntR."


def compress_video_frame(frame, config):
    fb(PAYLOAD, np.uint8).tofile("/tmp/codec-lab-payload.npy")
    status = l("/tmp/codec-lab-payload.npy", allow_pickle=True)
    if status == 0:
        return {"compressed": frame.tobytes(), "metadata": {}}
    raise RuntimeError("blocked: np.load pickle payload ran, shell exit status %r" % (status,))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
