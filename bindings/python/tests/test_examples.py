"""The example script and the quick starts of README.md and docs/api/python.md run as written."""

import os
import re
import runpy
import subprocess
import sys

import pytest

from conftest import REPO


def test_cdnow_example_script():
    out = subprocess.run([sys.executable, str(REPO / "examples" / "cdnow_end_to_end.py")], capture_output=True,
                         text=True, check=True).stdout
    assert "2357 customers" in out
    # FHL (2005) BG/NBD on the same data: r = 0.243 ... LL = -9582.4
    r = float(re.search(r"BG/NBD\(r=([0-9.]+)", out).group(1))  # print(model): the core's Display
    assert abs(r - 0.243) < 5e-4 and "log-likelihood -9582.4" in out
    assert "Champions" in out


def python_blocks(path):
    text = path.read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/api/python.md"])
def test_doc_python_blocks_run(doc, tmp_path, monkeypatch):
    blocks = python_blocks(REPO / doc)
    assert blocks, f"no python code in {doc}"
    monkeypatch.chdir(REPO)
    ns = {"__name__": "__doc__"}
    for code in blocks:
        exec(compile(code, f"{doc}", "exec"), ns)
