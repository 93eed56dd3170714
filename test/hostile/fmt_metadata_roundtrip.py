# hostile: metadata that a JavaScript JSON round trip would alter (ints beyond 2**53, -0.0, 1.0, 5e-324, astral Unicode); the decoder checks it arrived byte-exact
# expect-evaluate: ok
# expect-direct: ok
#
# Why: a correct JPEG codec plus legal, JSON-serialisable metadata, so ok both ways -- provided the
# metadata reaches the decoder exactly as counted. If the orchestrator parses the metadata with
# JSON.parse and re-serialises it, 2**64+1 becomes 18446744073709552000, -0.0 becomes 0 and 1.0
# becomes 1; the decoder compares canonical JSON texts and raises "metadata altered in transit"
# => runtime_errors, which is the bug this file exists to catch (metadata must travel as the
# exact canonical JSON text that was counted).
import json

import cv2
import numpy as np

EXPECTED = {
    "big": 2**64 + 1, "negative_big": -(2**63) - 7, "past_safe": 2**53 + 1, "neg_zero": -0.0,
    "one_float": 1.0, "tenth": 0.1, "subnormal": 5e-324, "largest": 1.7976931348623157e308,
    "text": "qualité ✓ 😀 \u0000 \"quoted\" \\ back", "nested": [[], {}, [1, [2, [3.5, None, True, False]]]],
    "empty": "", "z_last": {"b": 1, "a": 2},
}


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _jpeg(frame, config):
    quality = int(5 + 90 * min(max(float(config["quality"]), 0.0), 1.0))
    ok, encoded = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes()


def compress_video_frame(frame, config):
    return {"compressed": _jpeg(frame, config), "metadata": json.loads(_canonical(EXPECTED))}


def decompress_video_frame(compressed, metadata, config):
    got, want = _canonical(metadata), _canonical(EXPECTED)
    if got != want:
        changed = sorted(k for k in EXPECTED if _canonical(metadata.get(k)) != _canonical(EXPECTED[k]))
        raise RuntimeError("metadata altered in transit: keys %s" % changed)
    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)
