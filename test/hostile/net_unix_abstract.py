# hostile: connect to every unix socket listed in /proc/net/unix (incl. abstract ones such as the host's X11 @/tmp/.X11-unix/X0)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: no unix socket reachable
#
# Why: socket is not allowed (forbidden_imports). Abstract unix sockets are scoped to the network
# namespace, not the filesystem, so a container sharing the host's network namespace could reach
# host daemons through them without any bind mount. With network none the container has its own
# namespace: /proc/net/unix lists nothing from the host and the guessed names do not exist, so the
# codec raises => runtime_errors. Any connect that succeeds returns a valid frame and the test
# notices (the harness itself should not listen on named or abstract unix sockets).
import socket

import numpy as np

GUESSES = ["@/tmp/.X11-unix/X0", "@/tmp/.X11-unix/X1", "@/containerd-shim/shim.sock",
           "@/org/freedesktop/systemd1/notify", "/run/systemd/private", "/run/dbus/system_bus_socket"]


def _listed():
    try:
        with open("/proc/net/unix") as table:
            rows = table.read().splitlines()[1:]
    except OSError:
        return []
    return [row.split()[7] for row in rows if len(row.split()) >= 8]


def compress_video_frame(frame, config):
    listed = _listed()
    errors = []
    for name in (listed + GUESSES)[:64]:
        address = "\0" + name[1:] if name.startswith("@") else name
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(0.5)
        try:
            sock.connect(address)
            return {"compressed": frame.tobytes(), "metadata": {"reached": name}}
        except OSError as err:
            errors.append("%s %s" % (name, type(err).__name__))
        finally:
            sock.close()
    raise RuntimeError("blocked: no unix socket reachable (%d listed): %s" % (len(listed), "; ".join(errors)))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
