# hostile: fullwidth Unicode identifier ｅｘｅｃ (NFKC-normalised by the parser to exec) running a write into /etc
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*Read-only file system
#
# Why: Python normalises identifiers with NFKC, so the AST holds Name('exec') and the validator
# reports it (forbidden_calls); a text grep for "exec" would miss it. Run directly, exec works and
# the executed code tries to create a file in /etc, which fails with EROFS; the codec raises =>
# runtime_errors. A successful write returns a valid frame.
import numpy as np

CODE = """
try:
    with open('/etc/codec-lab-pwned-fullwidth', 'w') as handle:
        handle.write('pwned')
    RESULT = 'written'
except OSError as err:
    RESULT = 'blocked: ' + err.strerror
"""


def compress_video_frame(frame, config):
    scope = {}
    ｅｘｅｃ(CODE, scope)
    if scope["RESULT"] == "written":
        return {"compressed": frame.tobytes(), "metadata": {}}
    raise RuntimeError(scope["RESULT"])


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
