"""Simultaneous FDP bounds (``skselect.conformal.fdp_bounds``) for a million test units.

Usage::

    python benchmarks/bench_fdp_bounds.py

The p-values of m = 10^6 test units against n = 10^3 and 10^4 calibration units (half of the
test units non-null), the default higher-criticism envelope (1,000 resamples of the exact
joint law) and the KS envelope, on one thread (BLAS and OpenMP limited to 1); median of three
runs after a warm-up. No peer: no other package bounds the FDP of conformal selections.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from _harness import machine_info  # noqa: E402

from skselect.conformal import conformal_pvalues, fdp_bounds  # noqa: E402


def _p_values(n_calib, n_test, seed=0):
    rng = np.random.default_rng(seed)
    calib = rng.normal(size=n_calib)
    test = rng.normal(size=n_test) + np.where(rng.uniform(size=n_test) < 0.5, 2.0, 0.0)
    # Larger scores are more promising: the p-value counts calibration scores at least as
    # large.
    return conformal_pvalues(-calib, -test)


def main():
    print(machine_info())
    lines = [
        "| m | n | envelope | median seconds (1 thread) | bound on the top 1,000 |",
        "|---:|---:|---|---:|---:|",
    ]
    with threadpool_limits(1):
        for n_calib in (1000, 10_000):
            p = _p_values(n_calib, 10**6)
            for method in ("hc", "ks"):
                fdp_bounds(p, n_calib, method=method, random_state=0)  # warm-up
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    result = fdp_bounds(p, n_calib, method=method, random_state=0)
                    times.append(time.perf_counter() - start)
                lines.append(
                    f"| 10^6 | {n_calib} | {method} | {np.median(times):.2f} | "
                    f"{result.bound_top_k(1000)} |"
                )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
