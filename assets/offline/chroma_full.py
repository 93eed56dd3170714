"""Offline generator building block: chroma planes at full resolution (4:4:4).
"""


# block: chroma
# Chroma: full resolution (4:4:4).
FY, FX = 1, 1


def _down(plane):
    return plane


def _up(plane, height, width):
    return plane
