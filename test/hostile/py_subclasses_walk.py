# hostile: ().__class__.__bases__[0].__subclasses__() walk to subprocess.Popen (or os via os._wrap_close.__init__.__globals__), then a shell writing into /etc
# expect-evaluate: forbidden_calls
# expect-direct: runtime_errors
# expect-message: blocked: .*(exit status|Read-only)
#
# Why: __class__, __bases__, __subclasses__ and __globals__ are forbidden attributes
# (forbidden_calls). Run directly the walk works (it always does in CPython: this is why the
# validator is advice and the container is the boundary), but what it reaches is confined: the
# shell cannot write /etc/codec-lab-pwned (read-only root, non-zero status), so the codec raises
# => runtime_errors. Status 0 returns a valid frame and the test notices.
import numpy as np

COMMAND = "echo pwned > /etc/codec-lab-pwned-subclasses"


def compress_video_frame(frame, config):
    classes = ().__class__.__bases__[0].__subclasses__()
    found = "none"
    status = None
    for cls in classes:
        if cls.__name__ == "Popen" and hasattr(cls, "communicate"):
            found = "subprocess.Popen"
            status = cls(["/bin/sh", "-c", COMMAND]).wait()
            break
    if status is None:
        for cls in classes:
            if cls.__name__ == "_wrap_close":
                found = "os via _wrap_close"
                status = cls.__init__.__globals__["system"](COMMAND)
                break
    if status == 0:
        return {"compressed": frame.tobytes(), "metadata": {"via": found}}
    raise RuntimeError("blocked: reached %s; shell exit status %r" % (found, status))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
