# hostile: Docker/containerd/podman socket probe (/var/run/docker.sock, /run/docker.sock, ...) and GET /version
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: no engine socket
#
# Why: socket and os are not allowed (forbidden_imports). A reachable engine socket is a complete
# host escape (start a privileged container). The sandbox has no binds, so none of these paths
# exist in the container: every connect fails (FileNotFoundError) and the codec raises =>
# runtime_errors. A connect that succeeds sends GET /version, returns a valid frame, and the test
# notices.
import glob
import socket

import numpy as np

PATHS = [
    "/var/run/docker.sock", "/run/docker.sock", "/var/run/docker/docker.sock",
    "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock.ttrpc", "/run/podman/podman.sock",
    "/run/buildkit/buildkitd.sock", "/run/dockershim.sock", "/tmp/docker.sock",
]


def compress_video_frame(frame, config):
    candidates = PATHS + glob.glob("/run/user/*/docker.sock") + glob.glob("/run/user/*/podman/podman.sock")
    errors = []
    for path in candidates:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(1.0)
        try:
            sock.connect(path)
            sock.sendall(b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")
            answered = len(sock.recv(4096))
            return {"compressed": frame.tobytes(), "metadata": {"engine": path, "bytes": answered}}
        except OSError as err:
            errors.append("%s %s" % (path, type(err).__name__))
        finally:
            sock.close()
    raise RuntimeError("blocked: no engine socket: " + "; ".join(errors))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
