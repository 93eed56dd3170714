# hostile: line separators other than \n, \r\n, \r (\x0b \x0c \x1c-\x1e \x85 \u2028 \u2029) in a comment and a string before a forbidden import: findings and tracebacks must count lines as the parser does
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: line 22, in compress_video_frame\n +scale = 255 // \(config\["frame_index"\] \* 0\)
#
# Why: str.splitlines() also splits at the eight characters in the comment and the string
# below, which the tokenizer leaves inside their lines. The validator reports `import os` at
# line 18 (forbidden_imports), and its excerpt must mark that line's text (split with
# splitlines, the marked row was `c`). Run directly, the import is harmless and the encoder
# divides by zero on frame 0 at line 22 => runtime_errors; the traceback quotes the source from
# the harness's linecache entry, which must hold that line there (split with splitlines it held
# `g`). The message regex checks the traceback; test/unit/validator.test.ts checks the finding.
import numpy as np

# Each character between the letters ends a line for str.splitlines() but not for the
# tokenizer (\x0b \x0c \x1c \x1d \x1e \x85 \u2028 \u2029): abcdefg h i
LABEL = "separators: abcdefg h i"
import os  # noqa: E402  (the forbidden import: the finding must point at this line)


def compress_video_frame(frame, config):
    scale = 255 // (config["frame_index"] * 0)  # the line the traceback must show
    return {"compressed": (frame // scale).tobytes(), "metadata": {"sep": os.sep}}


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
