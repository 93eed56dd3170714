"""Offline generator building block: the quantiser steps of a BGR codec (no chroma planes, one step).
"""
import numpy as np

from codec import WEIGHTS


# block: steps
def _steps(step, index, params):
    """B, G and R planes share one step (the chroma step is a luma/chroma tunable)."""
    return WEIGHTS * np.float32(step)
