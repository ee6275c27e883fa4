"""Run a peer and skselect on the same data, interleaved, and print a markdown table.

Every ``benchmarks/bench_<estimator>.py`` uses :func:`compare` once per dataset/setting and
:func:`markdown_table` to print what goes into ``benchmarks/RESULTS.md``::

    row = compare(
        "pima, k=5",
        peer=lambda: imblearn_smote.fit_resample(X, y),
        ours=lambda: skselect_smote.fit_resample(X, y),
        n_repeats=7,
        quality=lambda result: {"n_out": len(result[1])},  # optional, per result
    )
    print(markdown_table([row], peer_name="imblearn", ours_name="skselect"))

Timing runs are untraced; peak memory comes from one extra run of each callable under
``tracemalloc`` (numpy's buffers are traced; memory a C kernel gets from ``malloc`` directly is
not, so kernels that allocate scratch space should allocate it through numpy). The peer and
skselect alternate, and which goes first alternates too, so drift in machine load hits both.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field


@dataclass
class Row:
    case: str
    peer_times: list
    ours_times: list
    peer_peak: int
    ours_peak: int
    quality: dict = field(default_factory=dict)

    @property
    def peer_time(self):
        return statistics.median(self.peer_times)

    @property
    def ours_time(self):
        return statistics.median(self.ours_times)

    @property
    def time_ratio(self):
        return self.ours_time / self.peer_time if self.peer_time > 0 else float("nan")

    @property
    def memory_ratio(self):
        return self.ours_peak / self.peer_peak if self.peer_peak > 0 else float("nan")


def _timed(func):
    gc.collect()
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _peak_memory(func):
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def compare(case, *, peer, ours, n_repeats=5, warmup=1, quality=None):
    """Measure ``peer()`` and ``ours()`` on the same inputs.

    Parameters
    ----------
    case : str
        Row label (dataset and setting).
    peer, ours : callable
        Zero-argument callables doing the whole job being compared.
    n_repeats : int, default=5
        Timed runs of each; the median is reported.
    warmup : int, default=1
        Untimed runs of each first (imports, caches, thread pools).
    quality : callable or None
        ``quality(result) -> dict`` of named figures; called on each callable's result and
        reported as ``<name> peer`` / ``<name> skselect`` columns.

    Returns
    -------
    row : Row
    """
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be >= 1, got {n_repeats}")
    for _ in range(warmup):
        peer()
        ours()
    peer_times, ours_times = [], []
    peer_result = ours_result = None
    for repeat in range(n_repeats):
        order = [("peer", peer), ("ours", ours)]
        if repeat % 2:
            order.reverse()
        for who, func in order:
            elapsed, result = _timed(func)
            if who == "peer":
                peer_times.append(elapsed)
                peer_result = result
            else:
                ours_times.append(elapsed)
                ours_result = result
    peer_peak, _ = _peak_memory(peer)
    ours_peak, _ = _peak_memory(ours)
    figures = {}
    if quality is not None:
        for who, result in (("peer", peer_result), ("skselect", ours_result)):
            for name, value in quality(result).items():
                figures[f"{name} {who}"] = value
    return Row(case, peer_times, ours_times, peer_peak, ours_peak, figures)


def _format_seconds(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _format_bytes(n_bytes):
    return f"{n_bytes / 2**20:.1f} MiB"


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown_table(rows, *, peer_name="peer", ours_name="skselect"):
    """Render rows from :func:`compare` as a markdown table (one row per case)."""
    quality_columns = []
    for row in rows:
        for name in row.quality:
            if name not in quality_columns:
                quality_columns.append(name)
    header = [
        "case",
        f"time {peer_name}",
        f"time {ours_name}",
        "time ratio",
        f"peak mem {peer_name}",
        f"peak mem {ours_name}",
        "mem ratio",
        *quality_columns,
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    for row in rows:
        cells = [
            row.case,
            _format_seconds(row.peer_time),
            _format_seconds(row.ours_time),
            f"{row.time_ratio:.2f}",
            _format_bytes(row.peer_peak),
            _format_bytes(row.ours_peak),
            f"{row.memory_ratio:.2f}",
            *(_format_value(row.quality.get(name, "")) for name in quality_columns),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine_info():
    """One line describing this machine and the relevant versions, for RESULTS.md."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            mem_kib = int(f.readline().split()[1])
        memory = f"{mem_kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "unknown memory"
    versions = []
    for module in ("skselect", "numpy", "sklearn", "imblearn"):
        try:
            versions.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            pass
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory}, Python {sys.version.split()[0]}, "
        + ", ".join(versions)
    )


def _self_check():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(1_000_000)
    row = compare(
        "sort 10^6 float64",
        peer=lambda: np.sort(x),
        ours=lambda: x[np.argsort(x)],
        n_repeats=5,
        quality=lambda result: {"sorted": bool(np.all(np.diff(result) >= 0))},
    )
    print(f"machine: {machine_info()}\n")
    print(markdown_table([row], peer_name="np.sort", ours_name="argsort+take"))


if __name__ == "__main__":
    _self_check()
