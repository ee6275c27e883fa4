"""SMOTER / SMOGN: their cost next to skselect's SMOTE on the same rows, in one process.

SMOTER and SMOGN run SMOTE's neighbour search and interpolation kernel inside each bin of
rare or normal targets, plus the relevance function, the bins and (SMOGN) the noise. The
reference cost is therefore :class:`skselect.over_sampling.SMOTE` asked to create the same
number of synthetic rows in the same bins (the bins given to it as classes): the ``peer``
column is SMOTE, the ``skselect`` column the regression sampler, and the ratio is the
overhead of doing regression.

Usage::

    python benchmarks/bench_regression_sampling.py                      # every case, 3 repeats
    python benchmarks/bench_regression_sampling.py --cases 28k --repeats 5
    python benchmarks/bench_regression_sampling.py --scale 0.01 --repeats 1   # a quick smoke run

Cases: ``28k`` (28,000 rows x 59 features, the size the ``smogn`` package needs more than 20
hours for), ``1m`` (10^6 rows x 20 features), both with a long-tailed target (about 7 % of the
rows beyond the upper whisker); ``smogn-package`` (the ``smogn`` package's ``smoter`` against
skselect's :class:`~skselect.over_sampling.SMOGN` on 1,000 rows x 10 features, when
``smogn`` is installed; the two draw differently, so only the sizes are compared). SMOTE
keeps every row of the bins that SMOTER and SMOGN shrink, hence its larger output.
``--scale`` multiplies the number of rows of every case.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse

import numpy as np
from _harness import compare, machine_info, markdown_table

from skselect.over_sampling import SMOGN, SMOTE, SMOTER, relevance_control_points


def _skewed(n_rows, n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features))
    y = np.exp(1.2 * X[:, 0] + 0.4 * rng.standard_normal(n_rows))
    return X, y


def _smote_reference(sampler, X, y):
    """SMOTE asked for the same synthetic rows in the same bins as ``sampler``."""
    sampler.fit(X, y)
    bins = sampler.bin_indices_
    counts = np.bincount(bins)
    wanted = {
        int(b): max(int(sampler.sampling_strategy_[b]), int(counts[b])) for b in range(counts.size)
    }
    smote = SMOTE(sampling_strategy=wanted, random_state=0)
    return lambda: smote.fit_resample(X, bins)


def _sizes(result):
    return {"rows out": len(result[1])}


def case_rows(label, n_rows, n_features, n_repeats):
    X, y = _skewed(n_rows, n_features)
    rows = []
    for sampler in (SMOTER(random_state=0), SMOGN(random_state=0)):
        reference = _smote_reference(sampler, X, y)
        rows.append(
            compare(
                f"{type(sampler).__name__} vs SMOTE, {label}",
                peer=reference,
                ours=lambda s=sampler: s.fit_resample(X, y),
                n_repeats=n_repeats,
                quality=_sizes,
            )
        )
        print(f"{rows[-1].case}: done.", flush=True)
    return rows


def case_smogn_package(n_rows, n_repeats):
    try:
        import pandas as pd
        import smogn
    except ImportError:
        print("smogn-package: the smogn package is not installed; skipped.")
        return []
    X, y = _skewed(n_rows, 10)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["target"] = y
    try:
        smogn.smoter(
            data=frame.iloc[:100],
            y="target",
            rel_method="manual",
            rel_ctrl_pts_rg=relevance_control_points(y).tolist(),
        )
    except TypeError as error:  # smogn 0.1.2 calls np.quantile(interpolation=), gone in numpy 2
        print(f"smogn-package: the smogn package does not run here ({error}); skipped.")
        return []
    row = compare(
        f"smogn package vs SMOGN, {n_rows} x 10",
        # smogn's automatic control points need numpy < 2: give it skselect's (the same rule)
        peer=lambda: smogn.smoter(
            data=frame,
            y="target",
            k=5,
            samp_method="balance",
            rel_method="manual",
            rel_ctrl_pts_rg=relevance_control_points(y).tolist(),
        ),
        ours=lambda: SMOGN(random_state=0).fit_resample(X, y),
        n_repeats=n_repeats,
        quality=lambda result: {
            "rows out": len(result[1]) if isinstance(result, tuple) else len(result)
        },
    )
    return [row]


def main():
    cases = {
        "28k": lambda n, scale: case_rows("28000 x 59", int(28_000 * scale), 59, n),
        "1m": lambda n, scale: case_rows("10^6 x 20", int(1_000_000 * scale), 20, n),
        "smogn-package": lambda n, scale: case_smogn_package(max(200, int(1_000 * scale)), n),
    }
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(cases), default=list(cases))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every row count")
    args = parser.parse_args()
    rows = []
    for case in args.cases:
        rows.extend(cases[case](args.repeats, args.scale))
    print(f"\nmachine: {machine_info()}\n")
    if rows:
        print(markdown_table(rows, peer_name="reference", ours_name="skselect"))


if __name__ == "__main__":
    main()
