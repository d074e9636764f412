"""Locating the sample media the simulated backends use (scikit-image's test images)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def sample_image_path(name: str = "astronaut.png") -> Path | None:
    """Path of ``skimage/data/<name>``, or None when scikit-image (the ``sim`` extra) is absent.

    Uses the import machinery's package location only: scikit-image itself is not imported.
    """
    try:
        spec = importlib.util.find_spec("skimage")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / name
        if candidate.is_file():
            return candidate
    return None
