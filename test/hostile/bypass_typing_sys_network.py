# hostile: validator bypass: typing.sys.modules['importlib'].import_module('socket'), then connect to 1.1.1.1:443 and 169.254.169.254:80
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*Network is unreachable
#
# Why: allowed modules (typing, collections, json, base64, io) re-export sys, os, codecs or _io,
# and from sys.modules any module is reachable. contract.json now forbids attribute access to
# `sys` and `modules`, so the full pipeline stops this at validation => forbidden_calls. Run
# directly the container is the only boundary: with network none connect fails with ENETUNREACH
# and the codec raises => runtime_errors. A connect returns a valid frame and the test notices.
import typing

import numpy as np


def _import(name):
    loaded = typing.sys.modules
    if "importlib" in loaded:
        return loaded["importlib"].import_module(name)
    return loaded["_frozen_importlib"]._gcd_import(name)


def compress_video_frame(frame, config):
    net = _import("socket")
    errors = []
    for address in (("1.1.1.1", 443), ("169.254.169.254", 80)):
        sock = net.socket(net.AF_INET, net.SOCK_STREAM)
        sock.settimeout(1.0)
        try:
            sock.connect(address)
            return {"compressed": frame.tobytes(), "metadata": {"reached": address[0]}}
        except OSError as err:
            errors.append("%s:%d %s" % (address[0], address[1], err))
        finally:
            sock.close()
    raise RuntimeError("blocked: " + "; ".join(errors))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
