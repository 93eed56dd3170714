# hostile: environment dump hunting for secrets (own env, pid 1's and the harness parent's /proc/*/environ)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: no secrets among
#
# Why: os is not allowed (forbidden_imports). Run directly the codec always raises =>
# runtime_errors, and the message carries only variable NAMES, never values. With the
# allow-listed environment it says "blocked: no secrets among ..."; if any name looks like a
# credential (API keys, AWS_*, tokens, passwords, CODEC_LAB_*, ...) it says "SECRET-LIKE
# VARIABLES VISIBLE" instead, so expect-message fails. (The harness gets its idle timeout as an
# argument, not as CODEC_LAB_IDLE_TIMEOUT_S, so no CODEC_LAB_* variable is visible.) The runner
# plants canary ANTHROPIC_API_KEY and AWS_SECRET_ACCESS_KEY values in the orchestrator's own
# environment and asserts that neither value appears anywhere in any result.
import os
import re

import numpy as np

SECRET = re.compile(r"KEY|SECRET|TOKEN|PASSW|CREDENTIAL|SESSION|AUTH|PRIVATE|COOKIE|"
                    r"^AWS_|^ANTHROPIC|^OPENAI|^GITHUB|^GH_|^DOCKER_|^SSH_|^NPM_|^GOOGLE|^AZURE|^CODEC_LAB",
                    re.IGNORECASE)


def _names_from(path):
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        return None, type(err).__name__
    names = [item.split(b"=", 1)[0].decode("utf-8", "replace") for item in raw.split(b"\0") if item]
    return names, "read"


def compress_video_frame(frame, config):
    sources = {"os.environ": (list(os.environ), "read")}
    for label, path in (("self", "/proc/self/environ"), ("pid1", "/proc/1/environ"),
                        ("parent", "/proc/%d/environ" % os.getppid())):
        sources[label] = _names_from(path)
    seen, flagged = set(), set()
    for names, _status in sources.values():
        for name in names or []:
            seen.add(name)
            if SECRET.search(name):
                flagged.add(name)
    statuses = ", ".join("%s=%s" % (label, status) for label, (_n, status) in sources.items())
    if flagged:
        raise RuntimeError("SECRET-LIKE VARIABLES VISIBLE: %s (sources: %s)" % (sorted(flagged), statuses))
    raise RuntimeError("blocked: no secrets among %d variables %s (sources: %s)" % (len(seen), sorted(seen), statuses))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
