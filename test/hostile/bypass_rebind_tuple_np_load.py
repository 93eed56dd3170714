# hostile: validator bypass by rebinding: (np,)[0].load(BytesIO(pickle), allow_pickle=True) unpickles a payload that runs a shell writing into /usr
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*exit status
# host-marker: /usr/codec-lab-pwned-bypass_rebind_tuple_np_load
#
# Why: the module ban once followed only attribute chains rooted at an imported name (np.load),
# so np.load reached through a tuple subscript passed, and with allow_pickle=True np.load of
# anything that is not an .npy/.npz file is pickle.load: arbitrary Python in the container. The
# validator now refuses the attribute `load` on any receiver and the keyword allow_pickle in any
# call => forbidden_calls. Run directly, the pickle does run (that is pickle), but the shell it
# starts cannot create a file on the read-only root (non-zero status) and the codec raises =>
# runtime_errors. Status 0 returns a valid frame and the test notices.
import io

import numpy as np

# A bare pickle (protocol 0): os.system("echo pwned > /usr/..."). No file is needed.
PAYLOAD = b"cos\nsystem\n(S'echo pwned > /usr/codec-lab-pwned-bypass_rebind_tuple_np_load'\ntR."


def compress_video_frame(frame, config):
    status = (np,)[0].load(io.BytesIO(PAYLOAD), allow_pickle=True)
    if status == 0:
        return {"compressed": frame.tobytes(), "metadata": {}}
    raise RuntimeError("blocked: the pickle ran, but its shell could not write into /usr (exit status %r)" % (status,))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
