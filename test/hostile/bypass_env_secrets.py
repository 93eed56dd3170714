# hostile: validator bypass: environment dump through typing.sys.modules['os'].environ
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: no secrets among
#
# Why: when written this passed validation (typing.sys re-exports sys), so it also inspected the
# environment of the smoke and sweep containers of the full pipeline. contract.json now forbids
# attribute access to `sys` and `modules` => forbidden_calls in the full pipeline. Run directly,
# the codec always raises => runtime_errors, with variable NAMES only: "blocked: no secrets among"
# when nothing looks like a credential, "SECRET-LIKE VARIABLES VISIBLE" otherwise (then
# expect-message fails). The runner plants canary ANTHROPIC_API_KEY / AWS_SECRET_ACCESS_KEY values
# in the orchestrator's environment, so a leak of the orchestrator's environment shows here too.
# The harness now gets its idle timeout as an argument, so no CODEC_LAB_* variable is visible.
import typing

import numpy as np

WORDS = ("KEY", "SECRET", "TOKEN", "PASSW", "CREDENTIAL", "SESSION", "AUTH", "PRIVATE", "COOKIE")
PREFIXES = ("AWS_", "ANTHROPIC", "OPENAI", "GITHUB", "GH_", "DOCKER_", "SSH_", "NPM_", "GOOGLE", "AZURE", "CODEC_LAB")


def _looks_secret(name):
    upper = name.upper()
    return any(word in upper for word in WORDS) or upper.startswith(PREFIXES)


def compress_video_frame(frame, config):
    names = sorted(typing.sys.modules["os"].environ)
    flagged = [name for name in names if _looks_secret(name)]
    if flagged:
        raise RuntimeError("SECRET-LIKE VARIABLES VISIBLE: %s" % flagged)
    raise RuntimeError("blocked: no secrets among %d variables %s" % (len(names), names))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
