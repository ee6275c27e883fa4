"""The benchmark harness measures what it claims (it is not installed, so load it by path)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
from pathlib import Path

import numpy as np
import pytest

HARNESS = Path(__file__).resolve().parents[1] / "benchmarks" / "_harness.py"


@pytest.fixture(scope="module")
def harness():
    if not HARNESS.exists():
        pytest.skip("benchmarks/ is not next to the tests (installed test suite only)")
    spec = importlib.util.spec_from_file_location("_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_peak_memory_and_ratio(harness):
    n = 2_000_000
    row = harness.compare(
        "alloc",
        peer=lambda: np.ones(n // 2),
        ours=lambda: np.ones(n),
        n_repeats=3,
        warmup=0,
        quality=lambda result: {"size": result.size},
    )
    assert len(row.peer_times) == len(row.ours_times) == 3
    # 8 MB against 16 MB of traced numpy buffers: the ratio is 2 up to small overheads.
    assert row.peer_peak >= 8 * n // 2
    assert row.memory_ratio == pytest.approx(2.0, rel=0.05)
    assert row.quality == {"size peer": n // 2, "size skselect": n}


def test_markdown_table(harness):
    row = harness.Row("case A", [1.0, 3.0, 2.0], [0.5, 0.5, 0.5], 2**20, 2**21, {"auc": 0.9})
    table = harness.markdown_table([row], peer_name="imblearn")
    lines = table.splitlines()
    assert lines[0].startswith("| case | time imblearn | time skselect | time ratio")
    assert "| case A | 2.00 s | 500.0 ms | 0.25 | 1.0 MiB | 2.0 MiB | 2.00 | 0.9 |" in lines


def test_rejects_no_repeats(harness):
    with pytest.raises(ValueError, match="n_repeats must be >= 1"):
        harness.compare("x", peer=lambda: None, ours=lambda: None, n_repeats=0)
