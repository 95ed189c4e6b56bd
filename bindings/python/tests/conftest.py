"""Shared paths and settings of the Python test suite."""

import os
import pathlib

import matplotlib
import pytest

matplotlib.use("Agg")  # render plots to files, no display

REPO = pathlib.Path(__file__).resolve().parents[3]
VECTORS = REPO / "tests" / "vectors"
DATA = REPO / "tests" / "data"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def data_path(name: str) -> str:
    return os.fspath(DATA / name)
