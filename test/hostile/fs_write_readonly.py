# hostile: create files outside /tmp (/, /etc, /usr, site-packages, /opt, /home, /root, /var/tmp, /dev, the harness's own directory) and append to /etc/passwd
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: \d+ writes refused
# host-marker: /tmp/codec-lab-pwned-fs_write_readonly
#
# Why: os is not allowed (forbidden_imports). Run directly the root filesystem is read-only (EROFS)
# and /dev is root-owned (EACCES), so every write outside /tmp is refused and the codec raises =>
# runtime_errors. The codec also drops a marker in its own /tmp, which must succeed inside the
# tmpfs and must NOT appear on the host (host-marker): that would mean /tmp is a host bind. Any
# accepted write outside /tmp returns a valid frame and the test notices.
import os

import numpy as np

DIRS = ["/", "/etc", "/usr", "/usr/local/lib", "/usr/lib/python3/dist-packages", "/opt", "/home",
        "/root", "/var", "/var/tmp", "/srv", "/bin", "/sbin", "/lib", "/dev", "/run", "/mnt"]


def _harness_dirs():
    try:
        with open("/proc/%d/cmdline" % os.getppid(), "rb") as handle:
            argv = handle.read().split(b"\0")
    except OSError:
        return []
    return [os.path.dirname(a.decode("utf-8", "replace")) for a in argv if a.endswith(b".py")]


def compress_video_frame(frame, config):
    accepted, refused = [], []
    with open("/tmp/codec-lab-pwned-fs_write_readonly", "w") as marker:
        marker.write("written inside the container tmpfs\n")
    for directory in DIRS + _harness_dirs():
        path = os.path.join(directory, "codec-lab-pwned-%d" % os.getpid())
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            os.close(fd)
            accepted.append(path)
        except OSError as err:
            refused.append("%s %s" % (directory, err.strerror))
    for existing in ("/etc/passwd", "/usr/bin/python3"):
        try:
            with open(existing, "ab") as handle:
                handle.write(b"")
            accepted.append(existing)
        except OSError as err:
            refused.append("%s %s" % (existing, err.strerror))
    if accepted:
        return {"compressed": frame.tobytes(), "metadata": {"written": accepted}}
    raise RuntimeError("blocked: %d writes refused: %s" % (len(refused), "; ".join(refused)))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
