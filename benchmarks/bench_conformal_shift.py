"""Conformal selection under covariate shift: which pruning, and how valid estimated weights are.

Run from the repository root (after ``pip install --no-build-isolation -e .``)::

    python benchmarks/bench_conformal_shift.py pruning  [--reps 500]
    python benchmarks/bench_conformal_shift.py validity [--reps 500]

Design (both studies): calibration covariates X ~ N(0, I_2), test covariates X ~ N(delta, I_2)
shifted along one coordinate, label y = X_1 + N(0, 1), threshold 1.5, target FDR q = 0.2,
n = 500 calibration and m = 200 test units, a linear model fitted on 500 fresh training
units (calibration distribution) as the ranking, clipped score. The density ratio is
w(x) = exp(delta x_k - delta^2 / 2). Each repetition draws everything afresh; FDR and power
are means of the per-repetition false discovery proportion and true positive proportion,
with two Monte-Carlo standard errors.

* ``pruning``: weighted conformal selection with the true weights and each pruning, for a
  shift along x_1 (it moves the labels: more discoveries in the test batch) and along x_2
  (it only spreads the weights), plus BH ignoring the shift.
* ``validity``: the true weights, weights estimated by a cross-fitted logistic regression
  (well specified for a mean shift: the log density ratio is linear in x) and by a
  cross-fitted histogram gradient-boosting classifier, and BH ignoring the shift, for several
  shift sizes, and for a spread of x_1 by 1.5 (log density ratio quadratic in x_1: the
  logistic regression on x is misspecified there).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from threadpoolctl import threadpool_limits

from skselect.conformal import ConformalSelector

sys.path.insert(0, str(Path(__file__).parent))
from _harness import machine_info  # noqa: E402

N_CALIB, N_TEST, N_TRAIN, THRESHOLD, FDR = 500, 200, 500, 1.5, 0.2


def draw(rng, n, delta, axis):
    """``delta`` is a mean shift along ``axis``, or ("scale", s) a spread of x_1 by s."""
    X = rng.normal(size=(n, 2))
    if isinstance(delta, tuple):
        X[:, 0] *= delta[1]
    else:
        X[:, axis] += delta
    return X, X[:, 0] + rng.normal(size=n)


def true_weights(delta, axis):
    if isinstance(delta, tuple):
        scale = delta[1]

        def weight_function(X):
            return np.exp(0.5 * X[:, 0] ** 2 * (1 - 1 / scale**2)) / scale

        return weight_function

    def weight_function(X):
        return np.exp(delta * X[:, axis] - delta**2 / 2)

    return weight_function


def fdp_and_power(selected, y_test):
    truth = y_test > THRESHOLD
    n_selected = selected.sum()
    fdp = (selected & ~truth).sum() / max(1, n_selected)
    power = (selected & truth).sum() / max(1, truth.sum())
    return fdp, power


def one_repetition(seed, delta, axis, methods):
    rng = np.random.default_rng(seed)
    X_train, y_train = draw(rng, N_TRAIN, 0.0, axis)
    X_calib, y_calib = draw(rng, N_CALIB, 0.0, axis)
    X_test, y_test = draw(rng, N_TEST, delta, axis)
    model = LinearRegression().fit(X_train, y_train)
    results = {}
    for name, params in methods.items():
        selector = ConformalSelector(
            model, threshold=THRESHOLD, fdr=FDR, prefit=True, random_state=seed, **params
        )
        selected = selector.fit(X_calib, y_calib).select(X_test)
        results[name] = fdp_and_power(selected, y_test)
    return results


def run(settings, methods, reps):
    rows = []
    for label, delta, axis in settings:
        start = time.perf_counter()
        values = {name: [] for name in methods(delta, axis)}
        for seed in range(reps):
            for name, fdp_power in one_repetition(seed, delta, axis, methods(delta, axis)).items():
                values[name].append(fdp_power)
        for name, pairs in values.items():
            pairs = np.asarray(pairs)
            fdr, power = pairs.mean(axis=0)
            fdr_se = pairs[:, 0].std(ddof=1) / np.sqrt(reps)
            rows.append((label, name, fdr, 2 * fdr_se, power))
        print(f"  {label}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return rows


def pruning_methods(delta, axis):
    weights = true_weights(delta, axis)
    methods = {
        f"WCS {pruning}": {"method": "wcs", "pruning": pruning, "weight_function": weights}
        for pruning in ("deterministic", "homogeneous", "heterogeneous")
    }
    methods["BH ignoring the shift"] = {"method": "cfbh"}
    return methods


def validity_methods(delta, axis):
    return {
        "WCS, true weights": {"method": "wcs", "weight_function": true_weights(delta, axis)},
        "WCS, logistic regression": {
            "method": "wcs",
            "weight_function": LogisticRegression(),
        },
        "WCS, gradient boosting": {
            "method": "wcs",
            "weight_function": HistGradientBoostingClassifier(
                max_iter=50, max_depth=3, learning_rate=0.1, random_state=0
            ),
        },
        "BH ignoring the shift": {"method": "cfbh"},
    }


def table(rows):
    lines = [
        "| shift | method | FDR ± 2 s.e. | power |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {label} | {name} | {fdr:.3f} ± {two_se:.3f} | {power:.3f} |"
        for label, name, fdr, two_se, power in rows
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=["pruning", "validity"])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument(
        "--only",
        type=int,
        nargs="*",
        help="run only these settings (0-based), e.g. to split the study over processes",
    )
    args = parser.parse_args()
    if args.study == "pruning":
        settings = [(f"x1 + {d}", d, 0) for d in (0.25, 0.5, 1.0, 1.5)]
        settings += [(f"x2 + {d} (weights only)", d, 1) for d in (0.5, 1.0, 1.5)]
    else:
        settings = [(f"x1 + {d}", d, 0) for d in (0.5, 1.0, 1.5)]
        # The log density ratio is quadratic in x_1: logistic regression on x is misspecified.
        settings += [("x1 spread x 1.5 (logistic misspecified)", ("scale", 1.5), 0)]
    if args.only is not None:
        settings = [settings[i] for i in args.only]
    # One kernel thread: OpenMP spin-waiting on a loaded machine made a 560-sample
    # gradient-boosting fit 50x slower; results do not depend on the thread count.
    with threadpool_limits(1):
        rows = run(
            settings, pruning_methods if args.study == "pruning" else validity_methods, args.reps
        )
    print(machine_info())
    print(f"{args.study} study, {args.reps} repetitions, q = {FDR}, n = {N_CALIB}, m = {N_TEST}")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
