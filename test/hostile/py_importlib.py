# hostile: importlib.import_module('socket') with the module name built at run time, then connect to 1.1.1.1:443
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*Network is unreachable
#
# Why: importlib is not allowed (forbidden_imports), which is what stops dynamic imports the AST
# cannot name. Run directly the import works, but network none leaves no route: connect fails
# with ENETUNREACH and the codec raises => runtime_errors. A connect returns a valid frame.
import importlib

import numpy as np


def compress_video_frame(frame, config):
    net = importlib.import_module("".join(["so", "ck", "et"]))
    sock = net.socket(net.AF_INET, net.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        sock.connect(("1.1.1.1", 443))
    except OSError as err:
        raise RuntimeError("blocked: %s" % err)
    finally:
        sock.close()
    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
