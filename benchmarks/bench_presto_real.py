"""PRESTO on real ordinal data with a rare end category, against the two models it contains.

``python bench_presto_real.py --part dev`` then ``--part held-out``: repeated stratified 90/10
splits of each data set; on every split ``PRESTOClassifierCV`` (one or more configurations),
``ProportionalOddsClassifier`` (maximum likelihood) and per-boundary logistic regression (one
unpenalised scikit-learn ``LogisticRegression`` per boundary ``y > c_k``, cumulative
probabilities made monotone by the running maximum) are fitted on the training part and scored
on the test part by

* the multiclass log-loss, and
* the binned squared calibration error of the rare end category's probability (test points
  sorted by that probability, cut into ``max(round(n_test / 100), 10)`` equal-frequency bins,
  mean over test points of the squared gap between the prediction and the observed frequency of
  its bin; Faletto & Bien's OSCE).

Data sets (the rare category is made the last class, as the PRESTO paper does with ``soup``):

* ``wine``: the Wine Quality data shipped with skselect, grades ``<= 4, 5, 6, 7, >= 8``
  (``>= 8``: 3.0%), 11 measurements + colour.
* ``fair``: statsmodels' bundled ``fair`` data (affairs survey), ``rate_marriage`` reversed
  (``1 = very poor`` last: 1.6%), the 8 other columns as features.
* ``soup``: R package ``ordinal``'s ``soup`` data (GPL >= 2; read through ``Rscript`` into a
  CSV in ``--data-dir`` at run time, not distributed with skselect), ``SURENESS`` reversed
  (``1 = reference, sure`` last: 12.3%), the paper's 22 dummy features.
* ``ucla``: the UCLA graduate-school application survey that statsmodels ships with its
  ordinal-model tests (``ologit_ucla.csv``, n = 400), ``apply`` = unlikely < somewhat likely <
  very likely (last: 10%), features ``pared``, ``public``, ``gpa``.
* ``beps``: R package ``carData``'s ``BEPS`` data (British Election Panel Study, n = 1525; GPL
  >= 2, read through ``Rscript`` like ``soup``), ``economic.cond.national`` reversed
  (``1 = got a lot worse`` last: 2.4%), 10 features (age, household economic conditions, party
  leader ratings, Europe, political knowledge, gender, vote dummies).
* ``wvs``: ``carData``'s ``WVS`` data (World Values Survey, n = 5381, through ``Rscript``),
  ``poverty`` = government does too little < about right < too much (last: 15.1%), 7 features
  (religion, degree, country dummies, age, gender).
* ``anes96``: statsmodels' bundled 1996 American National Election Study extract (n = 944),
  ``selfLR`` reversed (``1 = extremely liberal`` last: 1.7%; 7 classes), the 9 other columns
  but ``popul`` (``logpopul`` kept) as features.

``soup`` is not in the default ``--datasets`` list, so that the runs recorded before it could
be fitted keep their command; name it to run it (one ``PRESTOClassifierCV`` fit takes about 6 s
since the non-crossing constraints are handled by the method of multipliers; more than 9
minutes before, under log-barrier rounds).

Splits are seeded by ``(seed, data set, repetition)``; the development part uses repetitions
0..(dev_reps - 1), the held-out part repetitions 1000.. so that a rule tuned on the first is
judged on data it never saw. Rows are appended to ``--out`` (a CSV; a re-run resumes).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import csv
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
from _harness import machine_info  # noqa: E402

from skselect.ordinal import (  # noqa: E402
    PRESTOClassifier,
    PRESTOClassifierCV,
    ProportionalOddsClassifier,
)

_SOUP_R = r"""
library(ordinal)
data(soup)
X <- model.matrix(~ PROD + DAY + SOUPTYPE + SOUPFREQ + COLD + EASY + GENDER + AGEGROUP +
                  LOCATION, data = soup)[, -1]
out <- data.frame(X, check.names = TRUE)
out$y <- 7L - as.integer(soup$SURENESS)
write.csv(out, commandArgs(trailingOnly = TRUE)[1], row.names = FALSE)
"""

# carData::BEPS (British Election Panel Study 1997-2001): "economic.cond.national" 1..5
# reversed so that 1 = "got a lot worse" (2.4%) is last.
_BEPS_R = r"""
library(carData)
X <- model.matrix(~ age + economic.cond.household + Blair + Hague + Kennedy + Europe +
                  political.knowledge + gender + vote, data = BEPS)[, -1]
out <- data.frame(X, check.names = TRUE)
out$y <- 6L - as.integer(BEPS$economic.cond.national)
write.csv(out, commandArgs(trailingOnly = TRUE)[1], row.names = FALSE)
"""

# carData::WVS (World Values Survey, 4 countries): "poverty", is the government doing too
# little, about right, too much (15.1%, last).
_WVS_R = r"""
library(carData)
X <- model.matrix(~ religion + degree + country + age + gender, data = WVS)[, -1]
out <- data.frame(X, check.names = TRUE)
out$y <- as.integer(WVS$poverty)
write.csv(out, commandArgs(trailingOnly = TRUE)[1], row.names = FALSE)
"""


def _load_r(data_dir, name, script_text):
    """Run an R script that writes a CSV (features, then ``y``) once; read it back."""
    path = Path(data_dir) / f"{name}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        script = path.with_suffix(".R")
        script.write_text(script_text)
        subprocess.run(["Rscript", str(script), str(path)], check=True)
    table = np.genfromtxt(path, delimiter=",", skip_header=1)
    return table[:, :-1], table[:, -1].astype(int)


def load_wine():
    from skselect.datasets import load_wine_quality

    wine = load_wine_quality()
    X = np.column_stack([wine.data, wine.color]).astype(np.float64)
    return X, np.clip(wine.target, 4, 8).astype(int)


def load_fair():
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    y = 6 - frame["rate_marriage"].to_numpy().astype(int)
    X = frame.drop(columns="rate_marriage").to_numpy(dtype=np.float64)
    return X, y


def load_soup(data_dir):
    return _load_r(data_dir, "soup", _SOUP_R)


def load_beps(data_dir):
    return _load_r(data_dir, "beps", _BEPS_R)


def load_wvs(data_dir):
    return _load_r(data_dir, "wvs", _WVS_R)


def load_anes96():
    import statsmodels.api as sm

    frame = sm.datasets.anes96.load_pandas().data
    y = 8 - frame["selfLR"].to_numpy().astype(int)
    X = frame.drop(columns=["selfLR", "popul"]).to_numpy(dtype=np.float64)
    return X, y


def load_ucla():
    from importlib.resources import files

    import pandas as pd

    path = files("statsmodels.miscmodels.tests.results") / "ologit_ucla.csv"
    frame = pd.read_csv(path)
    order = {"unlikely": 0, "somewhat likely": 1, "very likely": 2}
    y = frame["apply"].map(order).to_numpy().astype(int)
    return frame[["pared", "public", "gpa"]].to_numpy(dtype=np.float64), y


# New data sets go at the end: a data set's position seeds its splits.
DATASETS = {
    "wine": load_wine,
    "fair": load_fair,
    "soup": load_soup,
    "ucla": load_ucla,
    "beps": load_beps,
    "wvs": load_wvs,
    "anes96": load_anes96,
}
_NEEDS_DATA_DIR = {"soup", "beps", "wvs"}


def binned_calibration_error(p_hat, outcome):
    order = np.argsort(p_hat, kind="stable")
    n_bins = max(round(len(p_hat) / 100), 10)
    error = 0.0
    for rows in np.array_split(order, n_bins):
        error += np.sum((p_hat[rows] - outcome[rows].mean()) ** 2)
    return error / len(p_hat)


def log_loss(proba, codes):
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(codes)), codes], 1e-15, 1.0))))


def per_boundary_logistic(X_train, y_train, X_test, classes):
    """One unpenalised logistic regression per boundary; crossing repaired by running max."""
    cumulative = np.empty((len(X_test), len(classes) - 1))
    for k, label in enumerate(classes[:-1]):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1e4, max_iter=5000))
        model.fit(X_train, y_train <= label)
        cumulative[:, k] = model.predict_proba(X_test)[:, 1]
    cumulative = np.maximum.accumulate(cumulative, axis=1)
    padded = np.hstack([np.zeros((len(X_test), 1)), cumulative, np.ones((len(X_test), 1))])
    return np.diff(padded, axis=1)


# 5-fold CV repeated 3 times (15 held-out folds): less noise in the CV curve at 3x the cost.
_REPEATED_CV = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)

# name -> PRESTOClassifierCV settings (unnamed ones at the estimator's defaults). A configuration
# that differs from one fitted before it only in ``selection`` reuses that fit's CV curve.
CONFIGS = {
    "presto_default": {},
    "presto_brier_min": {"scoring": "brier", "selection": "min"},
    "presto_brier_1se": {"scoring": "brier", "selection": "1se"},
    "presto_dev_min": {"scoring": "deviance", "selection": "min"},
    "presto_dev_1se": {"scoring": "deviance", "selection": "1se"},
    "presto_brier_min_cv10": {"scoring": "brier", "selection": "min", "cv": 10},
    "presto_brier_1se_cv10": {"scoring": "brier", "selection": "1se", "cv": 10},
    "presto_dev_min_cv10": {"scoring": "deviance", "selection": "min", "cv": 10},
    "presto_dev_1se_cv10": {"scoring": "deviance", "selection": "1se", "cv": 10},
    "presto_brier_min_r1e-2": {"scoring": "brier", "selection": "min", "alpha_min_ratio": 1e-2},
    "presto_dev_min_r1e-2": {"scoring": "deviance", "selection": "min", "alpha_min_ratio": 1e-2},
    "presto_brier_min_r1e-4": {"scoring": "brier", "selection": "min", "alpha_min_ratio": 1e-4},
    "presto_brier_min_fpf1": {"scoring": "brier", "selection": "min", "first_penalty_factor": 1.0},
    "presto_brier_1se_fpf1": {"scoring": "brier", "selection": "1se", "first_penalty_factor": 1.0},
    "presto_brier_min_rep3": {"scoring": "brier", "selection": "min", "cv": _REPEATED_CV},
    "presto_brier_1se_rep3": {"scoring": "brier", "selection": "1se", "cv": _REPEATED_CV},
    "presto_dev_min_rep3": {"scoring": "deviance", "selection": "min", "cv": _REPEATED_CV},
}

_REFIT_KEYS = ("link", "l1_ratio", "first_penalty_factor", "standardize", "fit_intercept")


def run_split(X, y, train, test, configs):
    classes = np.unique(y)
    codes_test = np.searchsorted(classes, y[test])
    rare = (y[test] == classes[-1]).astype(float)
    row = {}

    def score(name, proba, seconds):
        row[f"{name}_logloss"] = log_loss(proba, codes_test)
        row[f"{name}_osce"] = binned_calibration_error(proba[:, -1], rare)
        row[f"{name}_seconds"] = seconds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = []  # (settings without selection, fitted search)
        for name in configs:
            settings = PRESTOClassifierCV(**CONFIGS[name]).get_params()
            key = {k: v for k, v in settings.items() if k != "selection"}
            start = time.perf_counter()
            search = next((s for k, s in fitted if k == key), None)
            if search is not None:
                best = (
                    clone(search)
                    .set_params(selection=settings["selection"])
                    ._select(search.cv_scores_)
                )
                refit = {k: settings[k] for k in _REFIT_KEYS}
                alpha = search.alphas_[best]
                model = PRESTOClassifier(alpha=alpha, **refit).fit(X[train], y[train])
                row[f"{name}_alpha_ratio"] = alpha / search.alphas_[0]
                seconds = time.perf_counter() - start + search.seconds_
            else:
                model = PRESTOClassifierCV(**settings).fit(X[train], y[train])
                model.seconds_ = time.perf_counter() - start
                fitted.append((key, model))
                row[f"{name}_alpha_ratio"] = model.alpha_ / model.alphas_[0]
                seconds = model.seconds_
            score(name, model.predict_proba(X[test]), seconds)
        start = time.perf_counter()
        model = PRESTOClassifier().fit(X[train], y[train])
        score("presto_auto", model.predict_proba(X[test]), time.perf_counter() - start)
        start = time.perf_counter()
        model = ProportionalOddsClassifier().fit(X[train], y[train])
        score("po", model.predict_proba(X[test]), time.perf_counter() - start)
        start = time.perf_counter()
        proba = per_boundary_logistic(X[train], y[train], X[test], classes)
        score("logit", proba, time.perf_counter() - start)
    return row


def load_rows(path):
    if not Path(path).exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def run(part, names, reps, seed, out, data_dir, configs):
    done = {(r["dataset"], int(r["rep"])) for r in load_rows(out)}
    offset = 0 if part == "dev" else 1000
    for index, name in enumerate(DATASETS):
        if name not in names:
            continue
        loader = DATASETS[name]
        X, y = loader(data_dir) if name in _NEEDS_DATA_DIR else loader()
        for rep in range(offset, offset + reps):
            if (name, rep) in done:
                continue
            rng_seed = np.random.SeedSequence([seed, index, rep]).generate_state(1)[0]
            split = StratifiedShuffleSplit(1, test_size=0.1, random_state=int(rng_seed))
            train, test = next(split.split(X, y))
            row = {"dataset": name, "part": part, "rep": rep}
            row.update(run_split(X, y, train, test, configs))
            rows = load_rows(out)
            rows.append(row)
            columns = list(dict.fromkeys(key for r in rows for key in r))
            with open(out, "w", newline="") as handle:
                writer = csv.DictWriter(handle, columns, restval="")
                writer.writeheader()
                writer.writerows(rows)
            print(
                f"{name} rep {rep}: "
                + ", ".join(f"{k}={v:.4g}" for k, v in row.items() if k.endswith("logloss")),
                flush=True,
            )


def summarise(out, part, methods):
    rows = [r for r in load_rows(out) if r["part"] == part]
    print(f"\n### {part}: mean ± MC s.e. over splits; paired difference to the first, (2 s.e.)\n")
    for metric in ("logloss", "osce"):
        print(f"\n{metric}\n")
        header = ["data set", "splits", *methods, "PRESTO - PO (2 s.e.)", "PRESTO - logit (2 s.e.)"]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for name in DATASETS:
            subset = [r for r in rows if r["dataset"] == name and r.get(f"{methods[0]}_{metric}")]
            if not subset:
                continue
            values = {
                m: np.array([float(r.get(f"{m}_{metric}") or "nan") for r in subset])
                for m in methods
            }
            cells = [name, str(len(subset))]
            cells += [
                ""
                if np.isnan(values[m]).any()
                else f"{values[m].mean():.5f} ± {values[m].std(ddof=1) / np.sqrt(len(subset)):.5f}"
                if len(subset) > 1
                else f"{values[m].mean():.5f}"
                for m in methods
            ]
            for peer in ("po", "logit"):
                diff = values[methods[0]] - values[peer]
                if len(diff) < 2:
                    cells.append(f"{diff.mean():+.5f} (n/a)")
                    continue
                se = diff.std(ddof=1) / np.sqrt(len(diff))
                verdict = "ok" if diff.mean() <= 2 * se else "worse"
                cells.append(f"{diff.mean():+.5f} ({2 * se:.5f}) {verdict}")
            print("| " + " | ".join(cells) + " |")


def _verdict(values, method, peer):
    diff = values[method] - values[peer]
    if len(diff) < 2:
        return diff.mean(), float("nan"), False
    twice_se = 2 * diff.std(ddof=1) / np.sqrt(len(diff))
    return diff.mean(), twice_se, diff.mean() > twice_se


def compare_configs(out, part, methods):
    """One line per PRESTO configuration: where it is worse than PO, logit, or both (2 s.e.)."""
    rows = [r for r in load_rows(out) if r["part"] == part]
    names = [n for n in DATASETS if any(r["dataset"] == n for r in rows)]
    print(f"\n### {part}: configurations against both limits (P: worse than PO beyond 2 s.e., ")
    print("L: worse than logit, BOTH: worse than both; the cell is the mean relative to the")
    print("better limit's mean, in %)\n")
    header = ["configuration"] + [f"{n} {m}" for n in names for m in ("logloss", "osce")]
    print("| " + " | ".join(header) + " | worse than one | worse than both |")
    print("|" + "---|" * (len(header) + 2))
    for method in methods:
        cells, n_one, n_both = [method], 0, 0
        for name in names:
            for metric in ("logloss", "osce"):
                subset = [r for r in rows if r["dataset"] == name and r.get(f"{method}_{metric}")]
                if not subset:
                    cells.append("")
                    continue
                values = {
                    m: np.array([float(r[f"{m}_{metric}"]) for r in subset])
                    for m in (method, "po", "logit")
                }
                worse = {peer: _verdict(values, method, peer)[2] for peer in ("po", "logit")}
                best = min(values["po"].mean(), values["logit"].mean())
                tag = "BOTH" if all(worse.values()) else "P" if worse["po"] else ""
                tag = tag or ("L" if worse["logit"] else "")
                n_both += tag == "BOTH"
                n_one += bool(tag)
                cells.append(f"{100 * (values[method].mean() / best - 1):+.1f} {tag}".strip())
        print("| " + " | ".join(cells) + f" | {n_one} | {n_both} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["dev", "held-out"], default="dev")
    parser.add_argument("--reps", type=int, default=None, help="dev: 10, held-out: 20")
    parser.add_argument("--datasets", default=",".join(name for name in DATASETS if name != "soup"))
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--out", default="/tmp/presto_real.csv")
    parser.add_argument("--data-dir", default="/tmp/skselect_ordinal_data")
    parser.add_argument(
        "--configs", default="presto_default", help=f"comma-separated, of: {','.join(CONFIGS)}"
    )
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument("--compare", action="store_true", help="also one line per configuration")
    parser.add_argument("--primary", default="presto_default", help="method judged")
    args = parser.parse_args()
    reps = args.reps or (10 if args.part == "dev" else 20)
    configs = [c for c in args.configs.split(",") if c]
    print(machine_info())
    if not args.summary_only:
        run(args.part, args.datasets.split(","), reps, args.seed, args.out, args.data_dir, configs)
    others = [c for c in configs if c != args.primary]
    summarise(args.out, args.part, [args.primary, *others, "presto_auto", "po", "logit"])
    if args.compare:
        compare_configs(args.out, args.part, [*configs, "presto_auto"])


if __name__ == "__main__":
    main()
