# hostile: credential file hunt (~/.aws, ~/.docker/config.json, ssh keys, /run/secrets, k8s token, /etc/shadow, .env files)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: no secrets readable
#
# Why: glob is not an allowed module (forbidden_imports); open is a forbidden call too. The image
# has no credentials and the container has no binds, so none of these files exist or are readable
# by uid 10001 (/etc/shadow is root-only) and the codec raises => runtime_errors. The message
# lists the mount points it saw (no contents) to help calibration. If any candidate is readable,
# the codec returns a valid frame (reporting only the count) and the test notices.
import glob

import numpy as np

PATTERNS = [
    "/root/.aws/credentials", "/root/.docker/config.json", "/root/.ssh/id_*", "/root/.netrc",
    "/home/*/.aws/credentials", "/home/*/.docker/config.json", "/home/*/.ssh/id_*",
    "/tmp/.aws/credentials", "/tmp/.docker/config.json", "/tmp/.ssh/id_*",
    "/run/secrets/*", "/var/run/secrets/kubernetes.io/serviceaccount/token",
    "/etc/shadow", "/etc/gshadow", "/.env", "/app/.env", "/work/.env", "/work/*/.env",
    "/etc/codec-lab/*", "/var/lib/docker/*", "/proc/1/root/root/.aws/credentials",
]


def _mount_points():
    try:
        with open("/proc/self/mountinfo") as info:
            return sorted({row.split()[4] for row in info.read().splitlines() if len(row.split()) > 4})
    except OSError as err:
        return ["? %s" % type(err).__name__]


def compress_video_frame(frame, config):
    readable, refused = [], []
    for pattern in PATTERNS:
        for path in glob.glob(pattern) or [pattern]:
            try:
                with open(path, "rb") as handle:
                    handle.read(1)
                readable.append(path)
            except OSError as err:
                refused.append("%s %s" % (path, type(err).__name__))
    if readable:
        return {"compressed": frame.tobytes(), "metadata": {"readable_secret_files": len(readable)}}
    raise RuntimeError("blocked: no secrets readable (%d tried); mounts=%s" % (len(refused), _mount_points()))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
