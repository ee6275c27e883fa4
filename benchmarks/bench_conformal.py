"""Conformal selection benchmark: skselect against straightforward numpy/scipy ports.

Run from the repository root (after ``pip install --no-build-isolation -e .``)::

    python benchmarks/bench_conformal.py

Cases (with their speed targets):

1. cfBH with n = m = 10^6: numpy sort + searchsorted and ``scipy.stats.false_discovery_control``
   against ``conformal_pvalues`` + ``benjamini_hochberg`` (target: skselect under 1 s).
2. Auxiliary selection sets (the per-test-unit BH of weighted conformal selection / OptCS) at
   n = m = 2000: a numpy port of the reference approach (per test unit: the calibrated p-value
   vector with its calibration comparisons, as the authors' code recomputes them, one sort
   and one BH; O(m^2 (n + m log m))) against the single-sort Cython kernels (target: ratio
   >= 100x), with unit weights (OptCS; O(m) kernel after the sort) and distinct weights
   (WCS; O(m^2) kernel). A stronger numpy port that precomputes the calibration counts
   (O(m^2 log m)) is reported too.
3. OptCS-MS selection with K = 10 pre-trained models and n = m = 10^4 (target: under 5 s);
   timed alone, since the numpy port would need about K m = 10^5 sorts of 10^4 values.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import false_discovery_control
from sklearn.base import BaseEstimator, RegressorMixin

from skselect.conformal import OptCSSelector, benjamini_hochberg, conformal_pvalues
from skselect.conformal._auxiliary import _auxiliary_sizes
from skselect.utils._parallel import _kernel_n_threads

sys.path.insert(0, str(Path(__file__).parent))
from _harness import compare, machine_info, markdown_table  # noqa: E402


def clipped_scores(rng, n, m):
    """Clipped scores of a ranking with some signal: 30% non-null calibration units (+inf)."""
    calib = rng.normal(size=n)
    calib[rng.uniform(size=n) < 0.3] = np.inf
    test = rng.normal(size=m) - 1.5 * (rng.uniform(size=m) < 0.3)
    return calib, test


def numpy_cfbh(calib, test, fdr):
    counts = np.searchsorted(np.sort(calib), test, side="right")
    p_values = (1.0 + counts) / (calib.shape[0] + 1.0)
    return false_discovery_control(p_values, method="bh") <= fdr


def skselect_cfbh(calib, test, fdr):
    return benjamini_hochberg(conformal_pvalues(calib, test), fdr)


def reference_port_auxiliary_sizes(calib, calib_weights, test, test_weights, fdr):
    """The reference approach in numpy: for every test unit, the calibrated p-value vector
    (calibration comparisons included, as the authors' code recomputes them), a sort and a
    BH step; O(m^2 (n + m log m))."""
    m = test.shape[0]
    total = calib_weights.sum()
    ranks = np.arange(1, m + 1)
    sizes = np.empty(m, dtype=np.intp)
    for j in range(m):
        calib_part = (calib_weights[None, :] * (calib[None, :] <= test[:, None])).sum(axis=1)
        row = (calib_part + test_weights[j] * (test[j] <= test)) / (total + test_weights[j])
        row[j] = 0.0
        passing = np.flatnonzero(np.sort(row) <= fdr * ranks / m)
        sizes[j] = passing[-1] + 1
    return sizes


def numpy_auxiliary_sizes(calib, test, fdr):
    n, m = calib.shape[0], test.shape[0]
    counts = np.searchsorted(np.sort(calib), test, side="right").astype(float)
    ranks = np.arange(1, m + 1)
    sizes = np.empty(m, dtype=np.intp)
    for j in range(m):
        row = (counts + (test[j] <= test)) / (n + 1.0)
        row[j] = 0.0
        passing = np.flatnonzero(np.sort(row) <= fdr * ranks / m)
        sizes[j] = passing[-1] + 1
    return sizes


def skselect_auxiliary_sizes(calib, test, fdr, calib_weights=None, test_weights=None):
    if calib_weights is None:
        calib_weights, test_weights = np.ones(calib.shape[0]), np.ones(test.shape[0])
    sizes, *_ = _auxiliary_sizes(calib, test, calib_weights, test_weights, fdr)
    return sizes


class _Precomputed(RegressorMixin, BaseEstimator):
    """A pre-trained model whose predictions are looked up by row number (column 0 of X)."""

    def __init__(self, predictions=None):
        self.predictions = predictions

    def fit(self, X, y):
        return self

    def predict(self, X):
        return self.predictions[X[:, 0].astype(np.intp)]

    def __sklearn_is_fitted__(self):
        return True


def main():
    fdr = 0.1
    print(f"Machine: {machine_info()}")
    print(f"OpenMP threads used by skselect kernels: {_kernel_n_threads()}")
    rows = []

    rng = np.random.default_rng(0)
    calib, test = clipped_scores(rng, 10**6, 10**6)
    rows.append(
        compare(
            "cfBH, n = m = 10^6",
            peer=lambda: numpy_cfbh(calib, test, fdr),
            ours=lambda: skselect_cfbh(calib, test, fdr),
            n_repeats=5,
            quality=lambda selected: {"selected": int(selected.sum())},
        )
    )

    calib, test = clipped_scores(rng, 2000, 2000)
    ones_calib, ones_test = np.ones(2000), np.ones(2000)
    rows.append(
        compare(
            "aux sets, unit weights (OptCS), n = m = 2000, vs reference port",
            peer=lambda: reference_port_auxiliary_sizes(calib, ones_calib, test, ones_test, fdr),
            ours=lambda: skselect_auxiliary_sizes(calib, test, fdr),
            n_repeats=1,
            warmup=0,
            quality=lambda sizes: {"mean s_j": float(np.mean(sizes))},
        )
    )
    calib_weights, test_weights = rng.lognormal(0, 0.5, 2000), rng.lognormal(0, 0.5, 2000)
    rows.append(
        compare(
            "aux sets, distinct weights (WCS), n = m = 2000, vs reference port",
            peer=lambda: reference_port_auxiliary_sizes(
                calib, calib_weights, test, test_weights, fdr
            ),
            ours=lambda: skselect_auxiliary_sizes(calib, test, fdr, calib_weights, test_weights),
            n_repeats=1,
            warmup=0,
            quality=lambda sizes: {"mean s_j": float(np.mean(sizes))},
        )
    )
    assert np.array_equal(
        numpy_auxiliary_sizes(calib, test, fdr), skselect_auxiliary_sizes(calib, test, fdr)
    )
    rows.append(
        compare(
            "aux sets, unit weights, n = m = 2000, vs numpy port with counts precomputed",
            peer=lambda: numpy_auxiliary_sizes(calib, test, fdr),
            ours=lambda: skselect_auxiliary_sizes(calib, test, fdr),
            n_repeats=3,
            quality=lambda sizes: {"mean s_j": float(np.mean(sizes))},
        )
    )
    print(markdown_table(rows, peer_name="numpy/scipy", ours_name="skselect"))
    for row in rows:
        print(
            f"{row.case}: skselect is {1 / row.time_ratio:.1f}x faster "
            f"(median {row.ours_time:.4f} s vs {row.peer_time:.4f} s)"
        )

    # OptCS-MS, K = 10 models, n = m = 10^4: the whole select() on precomputed predictions.
    n = m = 10**4
    n_models = 10
    y = rng.normal(size=n + m)
    signal = (y > 0).astype(float)
    predictions = [signal * (0.5 + 0.1 * k) + rng.normal(size=n + m) for k in range(n_models)]
    models = [_Precomputed(p) for p in predictions]
    rows_index = np.arange(n + m, dtype=float)[:, None]
    selector = OptCSSelector(models, prefit=True, fdr=fdr, random_state=0)
    selector.fit(rows_index[:n], y[:n])
    times = []
    for _ in range(3):
        start = time.perf_counter()
        selected = selector.select(rows_index[n:])
        times.append(time.perf_counter() - start)
    truth = y[n:] > 0
    print(
        f"OptCS-MS select, K = {n_models}, n = m = 10^4: median {np.median(times):.2f} s over 3 "
        f"runs (min {min(times):.2f} s); selected {int(selected.sum())}, "
        f"FDP {np.sum(selected & ~truth) / max(1, selected.sum()):.3f}"
    )


if __name__ == "__main__":
    main()
