# hostile: reach the host through the default gateway (from /proc/net/route, else 172.17.0.1): Docker API 2375/2376 and ssh
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*interfaces=\['lo'\]
#
# Why: socket is not an allowed module (forbidden_imports); open is a forbidden call too. The bridge
# gateway is the host itself, where an unauthenticated Docker API on 2375 would be a full escape.
# With network none the container has only lo and no default route, so every connect fails with
# ENETUNREACH; the codec raises and lists the interfaces it saw => runtime_errors. A successful
# connect returns a valid frame and the test notices.
import socket

import numpy as np


def _gateways():
    found = []
    try:
        with open("/proc/net/route") as table:
            for row in table.read().splitlines()[1:]:
                fields = row.split()
                if len(fields) > 2 and fields[2] != "00000000":
                    raw = bytes.fromhex(fields[2])[::-1]
                    found.append(".".join(str(b) for b in raw))
    except OSError:
        pass
    return found + ["172.17.0.1", "172.18.0.1"]


def _interfaces():
    try:
        with open("/proc/net/dev") as dev:
            return sorted(row.split(":")[0].strip() for row in dev.read().splitlines()[2:])
    except OSError as err:
        return ["? %s" % err]


def compress_video_frame(frame, config):
    errors = []
    for host in _gateways()[:3]:
        for port in (2375, 2376, 22):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(0.3)
            try:
                sock.connect((host, port))
                return {"compressed": frame.tobytes(), "metadata": {"reached": "%s:%d" % (host, port)}}
            except OSError as err:
                errors.append("%s:%d %s" % (host, port, err))
            finally:
                sock.close()
    raise RuntimeError("blocked: interfaces=%r; %s" % (_interfaces(), "; ".join(errors)))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
