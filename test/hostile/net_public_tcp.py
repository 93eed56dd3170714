# hostile: TCP connect to public addresses (1.1.1.1:53, 8.8.8.8:443, 2606:4700:4700::1111:443)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*Network is unreachable
#
# Why: socket is not an allowed module (forbidden_imports). Run directly in a container with
# network none there is only a loopback interface and no route, so connect() fails at once with
# ENETUNREACH and the codec raises => runtime_errors. Any successful connect means the container
# has a network: the codec then returns a valid frame and the test notices.
import socket

import numpy as np

TARGETS = [("1.1.1.1", 53), ("8.8.8.8", 443), ("2606:4700:4700::1111", 443)]


def compress_video_frame(frame, config):
    errors = []
    for host, port in TARGETS:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(1.0)
                sock.connect((host, port))
            return {"compressed": frame.tobytes(), "metadata": {"reached": host}}
        except OSError as err:
            errors.append("%s:%d %s" % (host, port, err))
    raise RuntimeError("blocked: " + "; ".join(errors))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
