# hostile: relative import at module level (`from . import helpers`), hoping for a sibling file next to the codec
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: ImportError.*(relative import|parent package)
#
# Why: relative imports are refused by the validator (forbidden_imports). Run directly, the source
# is executed into a fresh module with no package, so the import raises ImportError ("attempted
# relative import with no known parent package") while the module loads: an exception raised by
# codec code => runtime_errors (not missing_function, although the functions below are never
# defined in that module).
from . import helpers

import numpy as np


def compress_video_frame(frame, config):
    return helpers.encode(frame, config)


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
