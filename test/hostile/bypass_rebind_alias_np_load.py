# hostile: validator bypass by rebinding: m = np; m.load(BytesIO(pickle), allow_pickle=True) unpickles socket.create_connection(("1.1.1.1", 53))
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*Network is unreachable
#
# Why: `m = np` hid np.load from a ban that followed only names bound by import. The validator
# now refuses the attribute `load` on any receiver (and the keyword allow_pickle) =>
# forbidden_calls. Run directly, the pickle runs socket.create_connection inside the container
# (no socket import in the source at all), and with network none connect() fails at once with
# ENETUNREACH. numpy wraps what the pickle raised in an UnpicklingError; the codec reports its
# cause and raises => runtime_errors. A connection returns a valid frame and the test notices.
import io

import numpy as np

# A bare pickle (protocol 0): socket.create_connection(("1.1.1.1", 53), 2).
PAYLOAD = b"csocket\ncreate_connection\n((S'1.1.1.1'\nI53\ntI2\ntR."


def compress_video_frame(frame, config):
    m = np
    try:
        connection = m.load(io.BytesIO(PAYLOAD), allow_pickle=True)
    except Exception as error:
        cause = error.__cause__ or error
        raise RuntimeError(
            "blocked: the pickle ran, but its connection to 1.1.1.1:53 failed: %s: %s" % (type(cause).__name__, cause)
        )
    connection.close()
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
