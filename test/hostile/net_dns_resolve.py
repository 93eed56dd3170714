# hostile: DNS resolution of public names (getaddrinfo through the container's resolv.conf)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*gaierror
#
# Why: socket is not allowed (forbidden_imports). Resolving a public name needs a reachable
# nameserver; with network none the resolver's datagrams fail with ENETUNREACH, so getaddrinfo
# raises socket.gaierror quickly and the codec raises => runtime_errors. A public name that
# resolves means DNS (a classic exfiltration channel) works: the codec returns a valid frame and
# the test notices. Names in /etc/hosts (localhost) are not tried: they need no network.
import socket

import numpy as np

NAMES = ["example.com", "www.anthropic.com", "aws.amazon.com"]


def compress_video_frame(frame, config):
    errors = []
    for name in NAMES:
        try:
            addresses = socket.getaddrinfo(name, 443, proto=socket.IPPROTO_TCP)
            return {"compressed": frame.tobytes(), "metadata": {"resolved": name, "n": len(addresses)}}
        except OSError as err:
            errors.append("%s %s: %s" % (name, type(err).__name__, err))
    raise RuntimeError("blocked: " + "; ".join(errors))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
