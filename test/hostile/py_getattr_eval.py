# hostile: getattr(__builtins__, 'ev' + 'al') to get eval past a name check, then eval("__import__('os').system(...)")
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*exit status
#
# Why: getattr and __builtins__ are forbidden names (forbidden_calls); the string split hides
# 'eval' from a naive grep, not from the AST check on getattr. Run directly, eval is found
# (__builtins__ is a module or a dict depending on how the harness executes the source; both are
# handled) and runs a shell that cannot write into the read-only root (status != 0), so the codec
# raises => runtime_errors. If the harness strips eval from the builtins the lookup raises
# instead: still runtime_errors, but expect-message then fails and calibration should note it.
import numpy as np


def compress_video_frame(frame, config):
    table = __builtins__
    name = "ev" + "al"
    evaluate = table[name] if isinstance(table, dict) else getattr(table, name)
    status = evaluate("__import__('o' + 's').system('echo pwned > /usr/codec-lab-pwned-eval')")
    if status == 0:
        return {"compressed": frame.tobytes(), "metadata": {}}
    raise RuntimeError("blocked: eval ran, shell exit status %r" % (status,))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
