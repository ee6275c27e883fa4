"""Fuzz every public estimator and function of skselect under bad, extreme and odd input.

Each case (a target: an estimator or a public function; and an input: a class of values,
shapes, dtypes, containers or hyperparameters) runs in a worker subprocess with a time limit,
so that a crash or a hang is reported instead of ending the run. A worker that crashes or
runs past the limit is killed (with everything it started) and replaced. Every case gets one
verdict:

``ok``
    the call returned and its output meets the method's contract (below).
``clear error``
    a ``ValueError`` or ``TypeError`` whose message names the argument at fault (or uses
    scikit-learn's standard wording for that fault).
``unclear error``
    any other exception, or a ``ValueError``/``TypeError`` that does not name the argument.
``crash``
    the worker died (a signal, or an exit without an answer).
``hang``
    no answer within the time limit.
``silent bad output``
    the call returned but broke its contract, accepted input that must be rejected, or
    modified its input.

The contracts: an over-sampler returns every original row (features and label) unchanged
and in order, then synthetic rows whose class counts are ``sampling_strategy_``, finite when
the input is; SMOTEUnderSampler's class counts are its ``sampling_strategy_`` and every row it
keeps is an original row; class probabilities are finite, in [0, 1] and sum to 1 per row, and
predictions are among ``classes_``; cluster labels lie in ``range(n_clusters_)``; p-values lie
in (0, 1]; e-values are finite and non-negative; ROC hull vertices lie in [0, 1]; outputs are
finite for finite input; no input is modified, even when the call fails.

Usage::

    python build_tools/fuzz.py --full --out fuzz_results.csv   # every case (a few minutes)
    python build_tools/fuzz.py                                  # the subset the tests run
    python build_tools/fuzz.py --case "SMOTE|X:nan"             # one case, with its traceback
    python build_tools/fuzz.py --list                           # the case ids

``tests/test_fuzz.py`` runs the subset (:func:`ci_case_ids`) case by case.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import collections
import contextlib
import csv
import json
import os
import pickle
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field

# Verdicts, in the order the summary table lists them.
VERDICTS = ("ok", "clear error", "unclear error", "crash", "hang", "silent bad output")
GOOD = ("ok", "clear error")

# Seconds a case may run before it counts as a hang. The subset the tests run uses less: it
# has no large case, and a hang there is a failure either way.
FULL_TIMEOUT = 60.0
CI_TIMEOUT = 30.0

# The worker's memory limit, so that a case asking for a huge allocation fails in the
# worker instead of pushing the machine into swap.
MEMORY_LIMIT_BYTES = 4 * 1024**3

# Cases that fail and are being fixed in the estimator's own code, each with the reason. The
# tests report them as expected failures; a new entry needs a test that documents why the
# behaviour is right or a fix. Empty: every case gets a correct result or a clear error.
KNOWN_FAILURES: dict[str, str] = {}


@dataclass
class Case:
    """One fuzz case: ``target`` called on the input built by ``make``."""

    id: str
    target: str
    input: str
    make: object = field(repr=False)  # () -> Spec
    ci: bool = False


@dataclass
class Spec:
    """What a case calls, on what, and what is expected of the call."""

    call: object  # () -> output
    check: object  # (output) -> list of contract violations
    inputs: tuple  # the objects that must not be modified
    must_reject: bool = False  # valid behaviour is an error
    names: tuple = ()  # regexes, one of which a clear error message must match


# --------------------------------------------------------------------------------------------
# Data


def _rng(seed=0):
    import numpy as np

    return np.random.default_rng(seed)


def _classification(n=40, d=3, seed=0):
    """Three ordered classes (16/14/10 rows or so), the third one smallest."""
    import numpy as np

    rng = _rng(seed)
    X = rng.normal(size=(n, d))
    y = np.digitize(X[:, 0] + 0.3 * rng.normal(size=n), [-0.1, 0.8]).astype(np.int64)
    return X, y


def _nc_data(n=40, seed=0):
    """Two numeric columns and a categorical one (column 2, values 0, 1, 2)."""

    X, y = _classification(n, 3, seed)
    X[:, 2] = _rng(seed + 1).integers(0, 3, size=n)
    X[[0, 5], 2] = 3.0  # a rare category, for encoders that group infrequent ones
    return X, y


def _regression(n=60, d=3, seed=0):
    rng = _rng(seed)
    X = rng.normal(size=(n, d))
    return X, X[:, 0] + 0.5 * rng.normal(size=n)


def _skewed(n=60, d=3, seed=0):
    """A target with a long high tail: its box plot marks a few rare high values."""
    import numpy as np

    rng = _rng(seed)
    X = rng.normal(size=(n, d))
    return X, np.exp(1.5 * X[:, 0] + 0.3 * rng.normal(size=n))


def _blobs(n=60, seed=0):
    import numpy as np

    rng = _rng(seed)
    X = np.r_[rng.normal(size=(n // 2, 2)), rng.normal(size=(n - n // 2, 2)) + 6.0]
    return X, None


# --------------------------------------------------------------------------------------------
# Targets: how each estimator is built, fitted and judged


def _estimators():
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

    from skselect.conformal import ConformalSelector
    from skselect.over_sampling import SMOTE
    from skselect.utils.discovery import all_estimators

    classes = dict(all_estimators())
    # Constructor arguments that make a default instance (SMOTENC needs its categorical
    # column) with a fixed seed where the estimator takes one.
    base = {
        "SMOTE": dict(random_state=0),
        "SMOTENC": dict(categorical_features=[2], random_state=0),
        "SMOTEUnderSampler": dict(random_state=0),
        "PRESTOClassifier": {},
        "PRESTOClassifierCV": dict(alphas=5, cv=3),
        "ProportionalOddsClassifier": {},
        "PPP": {},
        "ConformalSelector": dict(estimator=LinearRegression(), random_state=0),
        "OptCSSelector": dict(estimators=[LinearRegression(), Ridge()], random_state=0),
        "OnlineConformalSelector": dict(
            selector=ConformalSelector(LinearRegression(), random_state=0), horizon=10_000
        ),
        # a classifier fitted on SMOTE's output: bad input reaches the sampler first
        "FitResampled": dict(sampler=SMOTE(random_state=0), estimator=LogisticRegression()),
        # regression samplers, on a skewed target with a rare high tail (see _skewed)
        "SMOTER": dict(random_state=0, k_neighbors=2),
        "SMOGN": dict(random_state=0, k_neighbors=2),
        "RelevanceRandomOverSampler": dict(random_state=0),
        "RelevanceRandomUnderSampler": dict(random_state=0),
    }
    unknown = sorted(set(classes) - set(base))
    if unknown:
        raise RuntimeError(f"fuzz.py: add a fuzz configuration for {unknown}")
    return classes, base


_KIND = {
    "SMOTE": "oversampler",
    "SMOTENC": "oversampler",
    "SMOTEUnderSampler": "combined",
    "PRESTOClassifier": "classifier",
    "PRESTOClassifierCV": "classifier",
    "ProportionalOddsClassifier": "classifier",
    "PPP": "cluster",
    "ConformalSelector": "selector",
    "OptCSSelector": "selector",
    "OnlineConformalSelector": "online_selector",
    "FitResampled": "classifier",
    "SMOTER": "regression_sampler",
    "SMOGN": "regression_sampler",
    "RelevanceRandomOverSampler": "regression_sampler",
    "RelevanceRandomUnderSampler": "regression_sampler",
}

# Samplers that take string and categorical columns as they are.
_TAKES_STRINGS = {"SMOTENC", "RelevanceRandomOverSampler", "RelevanceRandomUnderSampler"}


def _base_data(name):
    kind = _KIND[name]
    if name == "SMOTENC":
        return _nc_data()
    if kind in ("oversampler", "combined", "classifier"):
        return _classification()
    if kind == "cluster":
        return _blobs()
    if kind == "regression_sampler":
        return _skewed()
    return _regression()


# --------------------------------------------------------------------------------------------
# Conversion helpers for the contract checks


def _to_numpy(a):
    import numpy as np
    import scipy.sparse as sp

    if a is None:
        return None
    if sp.issparse(a):
        return np.asarray(a.toarray())
    if hasattr(a, "to_numpy"):  # pandas, polars
        try:
            return a.to_numpy()
        except Exception:
            return np.asarray(a, dtype=object)
    return np.asarray(a)


def _is_finite_array(a):
    import numpy as np

    a = _to_numpy(a)
    if a.dtype.kind in "biu":
        return True
    if a.dtype.kind in "fc":
        return bool(np.all(np.isfinite(a)))
    try:
        return bool(np.all(np.isfinite(a.astype(np.float64))))
    except (TypeError, ValueError):
        return True  # strings or categories: no notion of finiteness


def _rows_equal(a, b):
    """Row-by-row equality of two 2-D arrays (NaN equals NaN), as a boolean vector."""
    import numpy as np

    a, b = _to_numpy(a), _to_numpy(b)
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        same = (a == b) | (np.isnan(a) & np.isnan(b))
    else:
        same = np.vectorize(lambda u, v: u == v or (u != u and v != v), otypes=[bool])(a, b)
    return same.reshape(len(a), -1).all(axis=1)


# --------------------------------------------------------------------------------------------
# Contract checks (each returns a list of violations)


def _check_oversampler(est, X, y, out):
    import numpy as np

    Xr, yr = out
    problems = []
    X0, y0, Xr_, yr_ = _to_numpy(X), _to_numpy(y).ravel(), _to_numpy(Xr), _to_numpy(yr)
    n = len(y0)
    if len(X0) != n:
        return [f"accepted {len(X0)} rows of X with {n} labels"]
    if len(Xr_) != len(yr_):
        return [f"{len(Xr_)} rows but {len(yr_)} labels"]
    if len(Xr_) < n:
        return [f"{len(Xr_)} rows returned for {n} input rows"]
    if X0.dtype.kind in "biuf" and Xr_.dtype.kind == "O":
        problems.append("numeric input came back as an object array")
    if not _rows_equal(Xr_[:n], X0).all():
        bad = np.flatnonzero(~_rows_equal(Xr_[:n], X0))
        problems.append(f"original rows altered (first altered row {bad[0]})")
    elif X0.dtype == Xr_.dtype and X0.dtype.kind == "f":
        if np.ascontiguousarray(Xr_[:n]).tobytes() != np.ascontiguousarray(X0).tobytes():
            problems.append("original rows not byte-identical")
    if not np.array_equal(np.asarray(yr_[:n], dtype=object), np.asarray(y0, dtype=object)):
        problems.append("original labels altered or reordered")
    generated = collections.Counter(yr_[n:].tolist())
    wanted = {k: int(v) for k, v in est.sampling_strategy_.items() if int(v) > 0}
    if dict(generated) != {_plain(k): v for k, v in wanted.items()}:
        problems.append(f"generated {dict(generated)} but sampling_strategy_ is {wanted}")
    if _is_finite_array(X) and not _is_finite_array(Xr_[n:]):
        problems.append("non-finite synthetic rows from finite input")
    cats = getattr(est, "categorical_features_", None)
    if cats is not None and len(Xr_) > n:
        for j in np.atleast_1d(cats):
            allowed = set(_plain(v) for v in X0[:, j].tolist())
            new = set(_plain(v) for v in Xr_[n:, j].tolist()) - allowed
            if new:
                problems.append(f"synthetic categories {sorted(map(str, new))[:3]} in column {j}")
    return problems


def _check_regression_sampler(est, X, y, out):
    """Kept rows are original rows with their targets, in input order; then synthetic rows.
    Every bin has the size ``sampling_strategy_`` gives it; interpolated targets stay within
    the range of their bin; synthetic rows are finite for finite input."""
    import numpy as np

    Xr, yr = out
    X0, y0, Xr_, yr_ = _to_numpy(X), _to_numpy(y).ravel(), _to_numpy(Xr), _to_numpy(yr).ravel()
    if len(X0) != len(y0):
        return [f"accepted {len(X0)} rows of X with {len(y0)} targets"]
    if len(Xr_) != len(yr_):
        return [f"{len(Xr_)} rows but {len(yr_)} targets"]
    problems = []
    kept = np.asarray(est.sample_indices_)
    n_kept = kept.size
    if np.any(np.diff(kept) <= 0):
        problems.append("kept rows not in input order")
    if not _rows_equal(Xr_[:n_kept], X0[kept]).all():
        problems.append("kept rows altered")
    if not np.array_equal(yr_[:n_kept].astype(np.float64), y0[kept].astype(np.float64)):
        problems.append("kept targets altered")
    bases = np.asarray(getattr(est, "base_indices_", np.empty(0, dtype=np.intp)))
    if n_kept + bases.size != len(yr_):
        problems.append(f"{len(yr_)} rows for {n_kept} kept and {bases.size} synthetic")
        return problems
    origin = np.r_[kept, bases].astype(np.intp)
    bins = np.asarray(est.bin_indices_)
    counts = np.bincount(bins[origin], minlength=len(est.sampling_strategy_))
    wanted = [est.sampling_strategy_[b] for b in range(len(est.sampling_strategy_))]
    if counts.tolist() != wanted:
        problems.append(f"bin sizes {counts.tolist()} but sampling_strategy_ is {wanted}")
    if bases.size:
        low, high = est.bin_ranges_[bins[bases]].T
        new = yr_[n_kept:].astype(np.float64)
        if np.any((new < low) | (new > high)):
            problems.append("synthetic targets outside their bin's range")
        if _is_finite_array(X) and not _is_finite_array(Xr_[n_kept:]):
            problems.append("non-finite synthetic rows from finite input")
    return problems


def _plain(v):
    """A label as a plain Python value (np.int64(1) and 1 compare and hash alike anyway;
    floats that are integers stay floats)."""
    return v.item() if hasattr(v, "item") else v


def _check_combined(est, X, y, out):
    import numpy as np

    Xr, yr = out
    X0, y0, Xr_, yr_ = _to_numpy(X), _to_numpy(y).ravel(), _to_numpy(Xr), _to_numpy(yr)
    if len(Xr_) != len(yr_):
        return [f"{len(Xr_)} rows but {len(yr_)} labels"]
    problems = []
    before = collections.Counter(_plain(v) for v in y0.tolist())
    after = collections.Counter(_plain(v) for v in yr_.tolist())
    over = {_plain(k): int(v) for k, v in est.sampling_strategy_["over"].items()}
    under = {_plain(k): int(v) for k, v in est.sampling_strategy_["under"].items()}
    for label, count in before.items():
        expected = under.get(label, count + over.get(label, 0))
        if after.get(label, 0) != expected:
            problems.append(f"class {label!r}: {after.get(label, 0)} rows, expected {expected}")
    originals = (
        {bytes(np.ascontiguousarray(r).tobytes()) for r in X0} if X0.dtype != object else None
    )
    if originals is not None and Xr_.dtype == X0.dtype:
        kept = np.array([bytes(np.ascontiguousarray(r).tobytes()) in originals for r in Xr_])
        for label in before:
            n_new = int(np.sum(~kept & (yr_ == label)))
            if n_new > over.get(label, 0):
                problems.append(f"class {label!r}: {n_new} rows not in the input")
    if _is_finite_array(X) and not _is_finite_array(Xr_):
        problems.append("non-finite rows from finite input")
    return problems


def _check_classifier(est, X, y, out):
    import numpy as np

    problems = []
    proba = np.asarray(est.predict_proba(X))
    pred = np.asarray(est.predict(X))
    n = len(_to_numpy(X))
    if proba.shape != (n, len(est.classes_)):
        problems.append(f"predict_proba shape {proba.shape}, expected {(n, len(est.classes_))}")
    elif not np.all(np.isfinite(proba)):
        problems.append("non-finite probabilities")
    else:
        if proba.min() < 0 or proba.max() > 1:
            problems.append(f"probabilities outside [0, 1] ({proba.min()}, {proba.max()})")
        # A few rounding errors of the output's precision (float32 in, float32 out).
        atol = 8 * len(est.classes_) * np.finfo(proba.dtype).eps
        if not np.allclose(proba.sum(axis=1), 1.0, rtol=0, atol=atol):
            problems.append("probabilities do not sum to 1")
    if not np.isin(pred, est.classes_).all():
        problems.append("predictions outside classes_")
    return problems


def _check_cluster(est, X, y, out):
    import numpy as np

    problems = []
    k = est.n_clusters_
    n = len(_to_numpy(X))
    for name, labels in (("labels_", est.labels_), ("predict", est.predict(X))):
        labels = np.asarray(labels)
        if labels.shape != (n,) or labels.dtype.kind not in "iu":
            problems.append(f"{name}: shape {labels.shape} dtype {labels.dtype}")
        elif labels.size and (labels.min() < 0 or labels.max() >= k):
            problems.append(f"{name} outside range(n_clusters_={k})")
    if _is_finite_array(X) and not _is_finite_array(est.transform(X)):
        problems.append("transform: non-finite distances for finite input")
    return problems


def _check_pvalues(p, n=None, what="p-values"):
    import numpy as np

    p = np.asarray(p)
    if n is not None and p.shape != (n,):
        return [f"{what}: shape {p.shape}, expected ({n},)"]
    if not np.all(np.isfinite(p)):
        return [f"non-finite {what}"]
    if p.size and (p.min() <= 0 or p.max() > 1):
        return [f"{what} outside (0, 1] ({p.min()}, {p.max()})"]
    return []


def _check_selector(est, X, y, out):
    import numpy as np

    n = len(_to_numpy(X))
    selected = np.asarray(est.select(X))
    problems = []
    if selected.shape != (n,) or selected.dtype != bool:
        problems.append(f"select: shape {selected.shape} dtype {selected.dtype}")
    if hasattr(est, "p_values"):
        problems += _check_pvalues(est.p_values(X), n)
    if getattr(est, "p_values_", None) is not None:
        problems += _check_pvalues(np.ravel(est.p_values_), what="p_values_")
    e = getattr(est, "e_values_", None)
    if e is not None and (not np.all(np.isfinite(e)) or np.min(e, initial=0) < 0):
        problems.append("e_values_ non-finite or negative")
    return problems


def _check_online_selector(est, X, y, out):
    """The stream contract: partial_select flags every unit seen so far, keeps every earlier
    selection, and its p-values are p-values."""
    import numpy as np

    n = len(_to_numpy(X))
    first = np.asarray(est.partial_select(X))
    problems = []
    if first.shape != (n,) or first.dtype != bool:
        problems.append(f"partial_select: shape {first.shape} dtype {first.dtype}")
    second = np.asarray(est.partial_select(X))
    if second.shape != (2 * n,) or (first.shape == (n,) and (second[:n] < first).any()):
        problems.append("partial_select: dropped a selection or wrong length")
    problems += _check_pvalues(est.p_values(X), n)
    problems += _check_pvalues(np.ravel(est.p_values_), what="p_values_")
    return problems


_CHECKS = {
    "oversampler": _check_oversampler,
    "combined": _check_combined,
    "classifier": _check_classifier,
    "cluster": _check_cluster,
    "selector": _check_selector,
    "regression_sampler": _check_regression_sampler,
    "online_selector": _check_online_selector,
}


def _estimator_spec(name, params, X, y, *, must_reject=False, names=()):
    classes, base = _estimators()
    cls = classes[name]
    kind = _KIND[name]

    def call():
        est = cls(**{**base[name], **params})
        if kind in ("oversampler", "combined", "regression_sampler"):
            return est, est.fit_resample(X, y)
        if kind == "cluster":
            return est, est.fit(X) if y is None else est.fit(X, y)
        return est, est.fit(X, y)

    def check(result):
        est, out = result
        return _CHECKS[kind](est, X, y, out)

    return Spec(call, check, (X, y), must_reject=must_reject, names=tuple(names))


# --------------------------------------------------------------------------------------------
# Input classes for estimators: name -> (X, y) -> (X, y, must_reject, names)

_X_NAMES = _X = (r"\bX\b", r"\binput\b", r"\barray\b", r"features?\b")
_Y = (r"\by\b", r"\btarget", r"\blabels?\b", r"\bclass", r"\binput\b")
_BOTH = _X + _Y + (r"inconsistent numbers of samples", r"\bsamples?\b")


def _with(X, **changes):
    X = X.copy()
    for (i, j), v in changes.get("at", {}).items():
        X[i, j] = v
    return X


def _xy_inputs(name):
    """The input classes for estimator ``name``: id -> function (X, y) -> (X, y, reject, names)."""
    import numpy as np
    import scipy.sparse as sp

    kind = _KIND[name]
    has_y = kind != "cluster"
    # A selector reports input its ranking model cannot score by naming that model.
    _X = _X_NAMES + ((r"\bestimators?\b",) if kind in ("selector", "online_selector") else ())
    classifier_like = kind in ("oversampler", "combined", "classifier")
    out = {}

    def add(key, fn, ci=False):
        out[key] = (fn, ci)

    # Values
    add("X:nan", lambda X, y: (_with(X, at={(3, 1): np.nan}), y, True, _X), ci=True)
    add("X:inf", lambda X, y: (_with(X, at={(3, 1): np.inf}), y, True, _X), ci=True)
    add("X:-inf", lambda X, y: (_with(X, at={(0, 0): -np.inf}), y, True, _X))
    add("X:all-nan", lambda X, y: (np.full_like(X, np.nan), y, True, _X))
    # Shapes
    add("X:empty", lambda X, y: (X[:0], None if y is None else y[:0], True, _BOTH), ci=True)
    add("X:no-features", lambda X, y: (X[:, :0], y, True, _X))
    add("X:one-sample", lambda X, y: (X[:1], None if y is None else y[:1], False, _BOTH), ci=True)
    add("X:two-samples", lambda X, y: (X[:2], None if y is None else y[:2], False, _BOTH))
    add("X:1d", lambda X, y: (X[:, 0], y, True, _X), ci=True)
    add("X:3d", lambda X, y: (X[:, :, None], y, True, _X))
    add("X:scalar", lambda X, y: (np.float64(1.0), y, True, _X))
    add("X:list", lambda X, y: (X.tolist(), y, False, _X))
    add("X:duplicate-rows", lambda X, y: (np.repeat(X[:1], len(X), axis=0), y, False, _X))
    add("X:constant-column", lambda X, y: (_const_col(X), y, False, _X))
    add("X:wide", lambda X, y: _wide(name, X, y), ci=False)
    # dtypes and memory layouts
    for dtype in ("int32", "int64", "uint8", "bool", "float16", "float32"):
        add(
            f"X:{dtype}",
            lambda X, y, dt=dtype: (_cast(X, dt), y, False, _X),
            ci=dtype in ("float32", "float16", "int64"),
        )
    add(
        "X:complex",
        lambda X, y: (X.astype(np.complex128) + 1j, y, True, _X + (r"complex",)),
        ci=True,
    )
    add("X:complex-real", lambda X, y: (X.astype(np.complex128), y, True, _X + (r"complex",)))
    add("X:object-numeric", lambda X, y: (X.astype(object), y, False, _X))
    add(
        "X:object-strings",
        lambda X, y: (_strings(X), y, name not in _TAKES_STRINGS, _X + (r"string", r"convert")),
        ci=True,
    )
    add("X:big-endian", lambda X, y: (X.astype(">f8"), y, False, _X), ci=True)
    add("X:fortran", lambda X, y: (np.asfortranarray(X), y, False, _X))
    add("X:strided", lambda X, y: (np.repeat(X, 2, axis=1)[:, ::2], y, False, _X), ci=True)
    add("X:read-only", lambda X, y: (_read_only(X), _read_only(y), False, _X), ci=True)
    # Magnitudes
    add("X:huge", lambda X, y: (_huge(X), y, False, _X), ci=True)
    add("X:huge-one", lambda X, y: (_with(X, at={(3, 0): 1.7e308}), y, False, _X), ci=True)
    add("X:max-float", lambda X, y: (np.sign(X) * np.finfo(np.float64).max, y, False, _X), ci=True)
    add("X:tiny", lambda X, y: (X * 1e-307, y, False, _X))
    add("X:denormal", lambda X, y: (X * 5e-324 * 4, y, False, _X))
    add(
        "X:mixed-scale",
        lambda X, y: (
            X * np.array([1e150, 1.0, 1e-150][: X.shape[1]] + [1.0] * max(0, X.shape[1] - 3)),
            y,
            False,
            _X,
        ),
    )
    # Sparse formats
    for fmt in ("csr", "csc", "coo", "lil", "dok", "bsr", "dia"):
        add(
            f"X:sparse-{fmt}",
            lambda X, y, f=fmt: (sp.csr_matrix(X).asformat(f), y, False, _X + (r"sparse",)),
            ci=fmt in ("csr", "coo"),
        )
    add("X:sparse-csr_array", lambda X, y: (sp.csr_array(X), y, False, _X + (r"sparse",)))
    add(
        "X:sparse-float32",
        lambda X, y: (sp.csr_matrix(X.astype(np.float32)), y, False, _X + (r"sparse",)),
    )
    add("X:sparse-int64-indices", lambda X, y: (_sparse_int64(X), y, False, _X + (r"sparse",)))
    add("X:sparse-nan", lambda X, y: (sp.csr_matrix(_with(X, at={(3, 1): np.nan})), y, True, _X))
    # Frames
    add(
        "X:pandas",
        lambda X, y: (
            _pd().DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]),
            y,
            False,
            _X,
        ),
        ci=True,
    )
    add("X:pandas-Int64", lambda X, y: (_pandas_ints(X, "Int64"), y, False, _X), ci=True)
    add(
        "X:pandas-Int64-NA",
        lambda X, y: (_pandas_ints(X, "Int64", na=True), y, True, _X + (r"nan", r"missing", r"NA")),
    )
    add("X:pandas-boolean", lambda X, y: (_pandas_bool(X), y, False, _X), ci=True)
    add("X:pandas-Float64", lambda X, y: (_pd().DataFrame(X).astype("Float64"), y, False, _X))
    add(
        "X:pandas-category",
        lambda X, y: (
            _pandas_category(X),
            y,
            name not in _TAKES_STRINGS,
            _X + (r"categor", r"convert", r"string"),
        ),
    )
    add(
        "X:pandas-mixed-columns",
        lambda X, y: (
            _pandas_mixed(X),
            y,
            name not in _TAKES_STRINGS,
            _X + (r"string", r"convert", r"dtype"),
        ),
    )
    add("X:polars", lambda X, y: (_polars().DataFrame(X), y, False, _X), ci=False)
    add(
        "X:polars-int",
        lambda X, y: (_polars().DataFrame(np.round(X * 3).astype(np.int64)), y, False, _X),
    )
    if not has_y:
        return out
    # Labels
    add("y:nan", lambda X, y: (X, _yf(y, 0, np.nan), True, _Y), ci=True)
    add("y:inf", lambda X, y: (X, _yf(y, 0, np.inf), True, _Y))
    add("y:short", lambda X, y: (X, y[:-1], True, _BOTH), ci=True)
    add("y:long", lambda X, y: (X, np.r_[y, y[:1]], True, _BOTH), ci=True)
    add("y:2d-column", lambda X, y: (X, y[:, None], False, _Y))
    add("y:2d", lambda X, y: (X, np.c_[y, y], True, _Y + (r"multi", r"shape")), ci=True)
    add("y:none", lambda X, y: (X, None, True, _Y), ci=True)
    add("y:list", lambda X, y: (X, y.tolist(), False, _Y))
    add("y:one-class", lambda X, y: (X, np.zeros_like(y), classifier_like, _Y), ci=True)
    add(
        "y:pandas-Int64",
        lambda X, y: (
            X,
            _pd().Series(y).astype("Int64" if classifier_like else "Float64"),
            False,
            _Y,
        ),
        ci=True,
    )
    add("y:polars", lambda X, y: (X, _polars().Series("y", y), False, _Y))
    add("y:complex", lambda X, y: (X, y.astype(np.complex128) + 1j, True, _Y + (r"complex",)))
    if classifier_like:
        add("y:strings", lambda X, y: (X, np.array(["a", "b", "c"])[y], False, _Y), ci=True)
        add(
            "y:mixed-int-str",
            lambda X, y: (
                X,
                np.array([0, "b", "c"], dtype=object)[y],
                True,
                _Y + (r"mix", r"type"),
            ),
            ci=True,
        )
        add("y:bool", lambda X, y: (X, y > 0, False, _Y))
        add("y:float-labels", lambda X, y: (X, y.astype(np.float64), False, _Y))
        add("y:negative-labels", lambda X, y: (X, y - 5, False, _Y))
        add("y:huge-labels", lambda X, y: (X, y * 10**17, False, _Y))
        add(
            "y:continuous",
            lambda X, y: (
                X,
                y + _rng(3).uniform(0.01, 0.5, size=len(y)),
                True,
                _Y + (r"continuous",),
            ),
            ci=True,
        )
        add(
            "y:pandas-category",
            lambda X, y: (
                X,
                _pd().Series(np.array(["a", "b", "c"])[y]).astype("category"),
                False,
                _Y,
            ),
        )
        add(
            "y:pandas-string",
            lambda X, y: (
                X,
                _pd().Series(np.array(["a", "b", "c"])[y]).astype("string"),
                False,
                _Y,
            ),
        )
        add("y:pandas-boolean", lambda X, y: (X, _pd().Series(y > 0).astype("boolean"), False, _Y))
        add(
            "y:tiny-class",
            lambda X, y: (X, _tiny_class(y), False, _Y + (r"k_neighbors", r"n_neighbors")),
            ci=kind != "classifier",
        )
    else:
        add(
            "y:strings",
            lambda X, y: (
                X,
                np.array([f"v{v:.2f}" for v in y]),
                True,
                _Y + (r"string", r"convert", r"numeric"),
            ),
            ci=True,
        )
        add("y:huge", lambda X, y: (X, _huge(y), False, _Y), ci=True)
        add("y:constant", lambda X, y: (X, np.zeros_like(y), False, _Y))
    return out


def _huge(a):
    """Finite values up to 1.5e308 (differences of two of them overflow)."""
    import numpy as np

    return np.clip(a, -3, 3) * 5e307


def _const_col(X):
    X = X.copy()
    X[:, 0] = 3.0
    return X


def _cast(X, dtype):
    import numpy as np

    if dtype == "bool":
        return X > 0
    if dtype in ("int32", "int64", "uint8"):
        return np.round(np.abs(X) * 3).astype(dtype)
    return X.astype(dtype)


def _strings(X):
    import numpy as np

    return np.array([[f"s{int(abs(v) * 2)}" for v in row] for row in X], dtype=object)


def _read_only(a):
    if a is None:
        return None
    a = a.copy()
    a.flags.writeable = False
    return a


def _sparse_int64(X):
    import numpy as np
    import scipy.sparse as sp

    m = sp.csr_matrix(X)
    m.indices = m.indices.astype(np.int64)
    m.indptr = m.indptr.astype(np.int64)
    return m


def _pd():
    import pandas

    return pandas


def _polars():
    try:
        import polars
    except ImportError as exc:
        raise _Skip("polars is not installed") from exc
    return polars


class _Skip(Exception):
    """The case needs an optional package that is absent."""


def _pandas_ints(X, dtype, na=False):
    import numpy as np

    df = _pd().DataFrame(np.round(X * 3).astype(np.int64)).astype(dtype)
    if na:
        df.iloc[3, 1] = _pd().NA
    return df


def _pandas_bool(X):
    df = _pd().DataFrame(X > 0).astype("boolean")
    return df


def _pandas_category(X):
    df = _pd().DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    # Labels that do not parse as numbers (numeric strings would be converted, as documented).
    codes = df[df.columns[-1]].round().astype(int).astype(str)
    df[df.columns[-1]] = ("c" + codes).astype("category")
    return df


def _pandas_mixed(X):
    df = _pd().DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    df[df.columns[-1]] = ["a" if v > 0 else "b" for v in X[:, -1]]
    return df


def _yf(y, i, value):
    import numpy as np

    y = np.asarray(y, dtype=np.float64).copy()
    y[i] = value
    return y


def _tiny_class(y):
    y = y.copy()
    y[:] = 0
    y[:2] = 1  # a class of two rows: fewer than k_neighbors + 1
    y[2:20] = 2
    return y


def _wide(name, X, y):
    """n = 50, d = 5000: more features than rows by a factor 100."""
    import numpy as np

    rng = _rng(7)
    Xw = rng.normal(size=(50, 5000))
    if y is None:
        return Xw, None, False, _X
    if name == "SMOTENC":
        Xw[:, 2] = rng.integers(0, 3, size=50)
    yw = np.resize(y, 50)
    return Xw, yw, False, _X


# --------------------------------------------------------------------------------------------
# Hyperparameters


_BAD_VALUES = {
    "nan": float("nan"),
    "inf": float("inf"),
    "-inf": float("-inf"),
    "-1": -1,
    "0": 0,
    "huge-int": 10**18,
    "huge-float": 1e308,
    "string": "bogus",
    "None": None,
    "list": [1, 2],
}
# Parameters that ask for an amount of work: a huge value is a request for that much work,
# not a bad input (a long run is what the user asked for).
_WORK_COUNTS = {"n_restarts", "alphas", "lookahead", "max_clusters", "max_depth", "max_iter"}
# Parameters whose values are objects (estimators, lists of column indices): fuzzed by hand.
_OBJECT_PARAMS = {
    "estimator",
    "estimators",
    "sampler",
    "weight_function",
    "selector",
    "categorical_encoder",
    "cv",
}


def _param_cases(name):
    import numpy as np
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import OneHotEncoder

    classes, base = _estimators()
    cls = classes[name]
    out = {}
    for param in sorted(
        cls().get_params()
        if name
        not in (
            "SMOTENC",
            "ConformalSelector",
            "OptCSSelector",
            "OnlineConformalSelector",
            "FitResampled",
        )
        else cls(
            **{
                k: v
                for k, v in base[name].items()
                if k in ("categorical_features", "estimator", "estimators", "sampler", "selector")
            }
        ).get_params()
    ):
        if param in _OBJECT_PARAMS or "__" in param:
            continue
        for label, value in _BAD_VALUES.items():
            if label.startswith("huge") and param in _WORK_COUNTS:
                continue
            # Infinite or out-of-range values may have a meaning (a threshold of +inf selects
            # nothing); they are judged by the contract of what the call returns.
            must_reject = label in ("nan", "string")
            if param == "random_state" and label in ("None", "0"):
                must_reject = False
            ci = label in ("nan",)
            out[f"param:{param}={label}"] = (param, value, must_reject, ci)
    specials = {
        "SMOTE": {
            "k_neighbors=NearestNeighbors(1)": ("k_neighbors", NearestNeighbors(n_neighbors=1)),
            "k_neighbors=1000": ("k_neighbors", 1000),
            "n_jobs=1000": ("n_jobs", 1000),
            "n_jobs=-1": ("n_jobs", -1),
            "sampling_strategy={5:10}": ("sampling_strategy", {5: 10}),
            "sampling_strategy={0:1}": ("sampling_strategy", {0: 1}),
        },
        "SMOTENC": {
            "categorical_features=[2.5]": ("categorical_features", [2.5]),
            "categorical_features=[5]": ("categorical_features", [5]),
            "categorical_features=[-10]": ("categorical_features", [-10]),
            "categorical_features=[]": ("categorical_features", []),
            "categorical_features=[0,1,2]": ("categorical_features", [0, 1, 2]),
            "categorical_features=[2,2]": ("categorical_features", [2, 2]),
            "categorical_features=mask-short": ("categorical_features", [False, True]),
            "categorical_encoder=OneHot(min_frequency=5)": (
                "categorical_encoder",
                OneHotEncoder(min_frequency=5, handle_unknown="infrequent_if_exist"),
            ),
            "categorical_encoder=OneHot(drop=first)": (
                "categorical_encoder",
                OneHotEncoder(drop="first", handle_unknown="ignore"),
            ),
            "categorical_encoder=OneHot(max_categories=2)": (
                "categorical_encoder",
                OneHotEncoder(max_categories=2, handle_unknown="infrequent_if_exist"),
            ),
            "n_jobs=1000": ("n_jobs", 1000),
        },
        "SMOTEUnderSampler": {"n_jobs=1000": ("n_jobs", 1000)},
        **{
            name: {
                "k_neighbors=1000": ("k_neighbors", 1000),
                "sampling_strategy={9:2}": ("sampling_strategy", {9: 2.0}),
                "sampling_strategy={0:nan}": ("sampling_strategy", {0: float("nan")}),
                "relevance=[[0,2,0]]": ("relevance", [[0, 2, 0]]),
                "relevance=all-rare": ("relevance", [[0, 1, 0], [1, 1, 0]]),
                "categorical_features=[5]": ("categorical_features", [5]),
                "categorical_features=[0,1,2]": ("categorical_features", [0, 1, 2]),
                **({"perturbation=inf": ("perturbation", float("inf"))} if name == "SMOGN" else {}),
            }
            for name in ("SMOTER", "SMOGN")
        },
        **{
            name: {
                "sampling_strategy={0:5}": ("sampling_strategy", {0: 5.0}),
                "sampling_strategy={0:0.5}": ("sampling_strategy", {0: 0.5}),
                "relevance=[[0,2,0]]": ("relevance", [[0, 2, 0]]),
            }
            for name in ("RelevanceRandomOverSampler", "RelevanceRandomUnderSampler")
        },
        "PRESTOClassifierCV": {
            "n_jobs=1000": ("n_jobs", 1000),
            "alphas=[nan]": ("alphas", [np.nan]),
            "alphas=[-1,1]": ("alphas", [-1.0, 1.0]),
            "alphas=[]": ("alphas", []),
            "cv=1": ("cv", 1),
            "cv=1000": ("cv", 1000),
        },
        "OptCSSelector": {
            "n_jobs=1000": ("n_jobs", 1000),
            "estimators=[]": ("estimators", []),
            "estimators=[None]": ("estimators", [None]),
        },
        "ConformalSelector": {
            "estimator=None": ("estimator", None),
            "weight_function=lambda->nan": ("weight_function", _nan_weights),
            "weight_function=lambda->huge": ("weight_function", _huge_weights),
            "weight_function=lambda->zero": ("weight_function", _zero_weights),
            "target=interval-nan": ("target", ("interval", float("nan"), 1.0)),
            "target=interval-reversed": ("target", ("interval", 1.0, 0.0)),
            "target=interval-infinite": ("target", ("interval", -np.inf, np.inf)),
            "target=lambda->nan": ("target", _nan_target),
            "target=lambda->short": ("target", _short_target),
        },
        "PPP": {
            "bic_threshold=nan": ("bic_threshold", float("nan")),
            "reg_covar=1e308": ("reg_covar", 1e308),
        },
    }
    # Values that must be refused even though what the call returns may look fine.
    invalid = {
        "categorical_features=[2.5]",
        "categorical_features=[2,2]",
        "alphas=[nan]",
        "bic_threshold=nan",
        "sampling_strategy={0:nan}",
        "relevance=[[0,2,0]]",
        "categorical_features=[5]",
        "categorical_features=[0,1,2]",
        "perturbation=inf",
        "target=interval-nan",
        "target=interval-reversed",
        "target=lambda->nan",
        "target=lambda->short",
    }
    for key, (param, value) in specials.get(name, {}).items():
        # n_jobs=1000 starts hundreds of processes on a hang: the full run only.
        out[f"param:{key}"] = (param, value, key in invalid, not key.startswith("n_jobs"))
    return out


def _nan_weights(X):
    import numpy as np

    return np.full(len(X), np.nan)


def _huge_weights(X):
    import numpy as np

    return np.full(len(X), 1e308)


def _zero_weights(X):
    import numpy as np

    return np.zeros(len(X))


def _nan_target(y, X):
    import numpy as np

    return np.full(len(X), np.nan)


def _short_target(y, X):
    import numpy as np

    return np.ones(max(len(X) - 1, 0), dtype=bool)


# --------------------------------------------------------------------------------------------
# Public functions


def _function_cases():
    """id suffix -> (target, make_spec, ci) for the public functions."""
    import numpy as np

    from skselect.conformal import (
        benjamini_hochberg,
        conformal_pvalues,
        ebh,
        fdp_bounds,
        self_consistent_subset,
    )
    from skselect.metrics import roc_convex_hull

    out = {}
    rng = _rng(11)
    calib = rng.normal(size=30)
    test = rng.normal(size=8)

    def pv_spec(
        c, t, cw=None, tw=None, reject=False, names=(r"calib", r"test", r"weights", r"scores"), **kw
    ):
        def call():
            return conformal_pvalues(c, t, calib_weights=cw, test_weights=tw, **kw)

        def check(out):
            return _check_pvalues(out, len(np.atleast_1d(t)))

        return Spec(call, check, (c, t, cw, tw), must_reject=reject, names=names)

    def pv(key, ci=False, **kw):
        out["conformal_pvalues|" + key] = ("conformal_pvalues", lambda: pv_spec(**kw), ci)

    pv("ok", c=calib, t=test, ci=True)
    pv("ok-randomized", c=calib, t=test, randomized=True, random_state=0)
    pv("calib:nan", c=_v(calib, 0, np.nan), t=test, reject=True, ci=True)
    pv("test:nan", c=calib, t=_v(test, 0, np.nan), reject=True)
    pv("calib:inf", c=_v(calib, 0, np.inf), t=test)
    pv("test:inf", c=calib, t=_v(test, 0, -np.inf))
    pv("calib:empty", c=calib[:0], t=test, reject=True, ci=True)
    pv("test:empty", c=calib, t=test[:0])
    pv("calib:2d", c=calib[:, None], t=test, reject=True)
    pv("test:2d", c=calib, t=np.c_[test, test], reject=True)
    pv("calib:complex", c=calib + 1j, t=test, reject=True, ci=True)
    pv("calib:strings", c=calib.astype(str), t=test, reject=True)
    pv("calib:object", c=calib.astype(object), t=test)
    pv("calib:huge", c=_huge(calib), t=_huge(test))
    pv("calib:tiny", c=calib * 5e-324, t=test * 5e-324)
    pv("calib:float16", c=calib.astype(np.float16), t=test.astype(np.float16))
    pv("calib:int", c=np.round(calib * 3).astype(int), t=np.round(test * 3).astype(int))
    pv("calib:read-only", c=_read_only(calib), t=_read_only(test), ci=True)
    pv("calib:pandas-Float64", c=_pd().Series(calib).astype("Float64"), t=test)
    pv("calib:list", c=calib.tolist(), t=test.tolist())
    pv("weights:huge", c=calib, t=test, cw=np.full(30, 1e308), tw=np.full(8, 1e308), ci=True)
    pv("weights:zero-test", c=calib, t=test, cw=np.ones(30), tw=np.zeros(8), ci=True)
    pv("weights:zero-test-extreme", c=calib, t=test - 10, cw=np.ones(30), tw=np.zeros(8), ci=True)
    pv("weights:zero-all", c=calib, t=test, cw=np.zeros(30), tw=np.zeros(8))
    pv("weights:negative", c=calib, t=test, cw=-np.ones(30), tw=np.ones(8), reject=True, ci=True)
    pv("weights:nan", c=calib, t=test, cw=np.full(30, np.nan), tw=np.ones(8), reject=True)
    pv("weights:inf", c=calib, t=test, cw=np.ones(30), tw=np.full(8, np.inf))
    pv("weights:short", c=calib, t=test, cw=np.ones(29), tw=np.ones(8), reject=True, ci=True)
    pv("weights:only-calib", c=calib, t=test, cw=np.ones(30))
    pv("weights:tiny", c=calib, t=test, cw=np.full(30, 5e-324), tw=np.full(8, 5e-324))
    pv(
        "random_state=nan",
        c=calib,
        t=test,
        randomized=True,
        random_state=float("nan"),
        reject=True,
        names=(r"random_state",),
    )

    def mask_spec(fn, values, fdr, reject=False, names=()):
        def call():
            return fn(values, fdr)

        def check(out):
            m = np.asarray(out)
            n = np.asarray(values).size
            return (
                [] if m.shape == (n,) and m.dtype == bool else [f"shape {m.shape} dtype {m.dtype}"]
            )

        return Spec(call, check, (values,), must_reject=reject, names=names)

    p = np.sort(rng.uniform(size=12))
    e = rng.exponential(size=12) * 5
    for fname, fn, values, bad_low in (
        ("benjamini_hochberg", benjamini_hochberg, p, -0.1),
        ("ebh", ebh, e, -1.0),
    ):
        vn = (r"p_values", r"e_values", r"values")
        cases = {
            "ok": (values, 0.1, False, ()),
            "nan": (_v(values, 0, np.nan), 0.1, True, vn),
            "inf": (_v(values, 0, np.inf), 0.1, fname == "benjamini_hochberg", vn),
            "negative": (_v(values, 0, bad_low), 0.1, True, vn),
            "above-one": (_v(values, 0, 1.5), 0.1, fname == "benjamini_hochberg", vn),
            "empty": (values[:0], 0.1, False, vn),
            "2d": (values[:, None], 0.1, True, vn),
            "complex": (values + 1j, 0.1, True, vn + (r"complex",)),
            "strings": (values.astype(str), 0.1, True, vn),
            "object": (values.astype(object), 0.1, False, vn),
            "pandas-Float64": (_pd().Series(values).astype("Float64"), 0.1, False, vn),
            "huge": (_huge(values), 0.1, fname == "benjamini_hochberg", vn),
            "tiny": (values * 5e-324, 0.1, False, vn),
            "fdr=nan": (values, float("nan"), True, (r"fdr",)),
            "fdr=0": (values, 0.0, True, (r"fdr",)),
            "fdr=1": (values, 1.0, False, (r"fdr",)),
            "fdr=2": (values, 2.0, True, (r"fdr",)),
            "fdr=inf": (values, float("inf"), True, (r"fdr",)),
            "fdr=string": (values, "x", True, (r"fdr",)),
        }
        for key, (vals, fdr, reject, names) in cases.items():
            ci = key in ("ok", "nan", "fdr=nan", "complex")
            out[f"{fname}|{key}"] = (
                fname,
                lambda fn=fn, vals=vals, fdr=fdr, reject=reject, names=names: mask_spec(
                    fn, vals, fdr, reject, names
                ),
                ci,
            )

    def fdp_spec(values, n_calib, reject=False, names=(r"p_values",), **kw):
        def call():
            return fdp_bounds(values, n_calib, n_resamples=50, random_state=0, **kw)

        def check(out):
            n = np.asarray(out.n_false_upper)
            k = np.arange(1, n.size + 1)
            problems = []
            if n.size != np.asarray(values).size:
                problems.append(f"{n.size} bounds for {np.asarray(values).size} p-values")
            if n.dtype.kind != "i" or (n < 0).any() or (n > k).any():
                problems.append("bounds outside [0, k]")
            if not np.all((out.fdp_upper >= 0) & (out.fdp_upper <= 1)):
                problems.append("fdp_upper outside [0, 1]")
            return problems

        return Spec(call, check, (values,), must_reject=reject, names=names)

    grid_p = rng.integers(1, 32, size=12) / 31
    fdp_cases = {
        "ok": (grid_p, 30, False, (r"p_values",), {}),
        "nan": (_v(grid_p, 0, np.nan), 30, True, (r"p_values", r"NaN"), {}),
        "inf": (_v(grid_p, 0, np.inf), 30, True, (r"p_values", r"infinite"), {}),
        "zero": (_v(grid_p, 0, 0.0), 30, True, (r"p_values",), {}),
        "above-one": (_v(grid_p, 0, 1.5), 30, True, (r"p_values",), {}),
        "empty": (grid_p[:0], 30, False, (r"p_values",), {}),
        "2d": (grid_p[:, None], 30, True, (r"p_values",), {}),
        "complex": (grid_p + 1j, 30, True, (r"p_values", r"complex"), {}),
        "strings": (grid_p.astype(str), 30, True, (r"p_values",), {}),
        "tiny": (grid_p * 1e-300, 30, False, (r"p_values",), {}),
        "n_calib=0": (grid_p, 0, True, (r"n_calib",), {}),
        "n_calib=huge": (grid_p, 10**7, False, (r"n_calib",), {}),
        "n_calib=float": (grid_p, 30.0, True, (r"n_calib",), {}),
        "confidence=1": (grid_p, 30, True, (r"confidence",), {"confidence": 1.0}),
        "confidence=nan": (grid_p, 30, True, (r"confidence",), {"confidence": float("nan")}),
        "method=bogus": (grid_p, 30, True, (r"method",), {"method": "bogus"}),
        "randomized": (rng.uniform(0.001, 1, size=12), 30, False, (r"p_values",), {}),
    }
    for key, (vals, n_calib, reject, names, kw) in fdp_cases.items():
        out[f"fdp_bounds|{key}"] = (
            "fdp_bounds",
            lambda vals=vals, n_calib=n_calib, reject=reject, names=names, kw=kw: fdp_spec(
                vals, n_calib, reject, names, **kw
            ),
            key in ("ok", "nan", "above-one", "n_calib=0", "empty"),
        )

    # The result object's methods, on a valid result.
    def bounds_spec(method, arg, reject, names):
        def call():
            result = fdp_bounds(grid_p, 30, n_resamples=50, random_state=0)
            return getattr(result, method)(*arg)

        def check(out):
            values = np.asarray(out.to_numpy() if hasattr(out, "to_numpy") else out, dtype=float)
            return [] if np.all(np.isfinite(values)) and np.all(values >= 0) else [f"{out!r}"]

        return Spec(call, check, (), must_reject=reject, names=names)

    bounds_cases = {
        "bound_top_k=1": ("bound_top_k", (1,), False, ()),
        "bound_top_k=all": ("bound_top_k", (12,), False, ()),
        "bound_top_k=0": ("bound_top_k", (0,), False, ()),
        "bound_top_k=-1": ("bound_top_k", (-1,), True, (r"\bk\b",)),
        "bound_top_k=13": ("bound_top_k", (13,), True, (r"\bk\b",)),
        "bound_top_k=nan": ("bound_top_k", (float("nan"),), True, (r"\bk\b",)),
        "bound_top_k=2.5": ("bound_top_k", (2.5,), True, (r"\bk\b",)),
        "bound_at=0.5": ("bound_at", (0.5,), False, ()),
        "bound_at=nan": ("bound_at", (float("nan"),), True, (r"threshold",)),
        "largest_k=0.3": ("largest_k", (0.3,), False, ()),
        "largest_k=nan": ("largest_k", (float("nan"),), True, (r"max_fdp",)),
        "largest_k=2": ("largest_k", (2.0,), True, (r"max_fdp",)),
        "to_frame": ("to_frame", (), False, ()),
    }
    for key, (method, arg, reject, names) in bounds_cases.items():
        out[f"FDPBounds|{key}"] = (
            "FDPBounds",
            lambda m=method, a=arg, r=reject, n=names: bounds_spec(m, a, r, n),
            key in ("bound_top_k=1", "bound_top_k=-1", "largest_k=nan"),
        )

    def subset_spec(values, fdr, reject=False, names=(r"e_values",), **kw):
        def call():
            return self_consistent_subset(values, fdr, **kw)

        def check(out):
            mask = np.asarray(out)
            e = np.asarray(values, dtype=float)
            problems = []
            if mask.shape != (e.size,) or mask.dtype != bool:
                return [f"shape {mask.shape} dtype {mask.dtype}"]
            size = int(mask.sum())
            if size and (e[mask] < e.size / (fdr * size)).any():
                problems.append("returned set is not self-consistent")
            budget = kw.get("budget")
            if budget is not None and size > budget:
                problems.append(f"{size} units above budget {budget}")
            return problems

        return Spec(call, check, (values,), must_reject=reject, names=names)

    e12 = rng.exponential(size=12) * 30
    g12 = rng.integers(0, 3, size=12)
    subset_cases = {
        "ok": (e12, 0.2, False, (r"e_values",), {}),
        "groups": (e12, 0.2, False, (r"groups",), {"objective": "groups", "groups": g12}),
        "groups:missing": (e12, 0.2, True, (r"groups",), {"objective": "groups"}),
        "groups:short": (e12, 0.2, True, (r"groups",), {"objective": "groups", "groups": g12[:3]}),
        "similarity": (
            e12,
            0.2,
            False,
            (r"similarity",),
            {"objective": "similarity", "similarity": np.eye(12), "budget": 3},
        ),
        "similarity:nan": (
            e12,
            0.2,
            True,
            (r"similarity",),
            {"objective": "similarity", "similarity": np.full((12, 12), np.nan), "budget": 3},
        ),
        "budget=0": (e12, 0.2, False, (r"budget",), {"budget": 0}),
        "budget=-1": (e12, 0.2, True, (r"budget",), {"budget": -1}),
        "budget=huge": (e12, 0.2, False, (r"budget",), {"budget": 10**9}),
        "nan": (_v(e12, 0, np.nan), 0.2, True, (r"e_values", r"NaN"), {}),
        "inf": (_v(e12, 0, np.inf), 0.2, False, (r"e_values",), {}),
        "negative": (_v(e12, 0, -1.0), 0.2, True, (r"e_values",), {}),
        "empty": (e12[:0], 0.2, False, (r"e_values",), {}),
        "2d": (e12[:, None], 0.2, True, (r"e_values",), {}),
        "fdr=0": (e12, 0.0, True, (r"fdr",), {}),
        "objective=bogus": (e12, 0.2, True, (r"objective",), {"objective": "bogus"}),
    }
    for key, (vals, fdr, reject, names, kw) in subset_cases.items():
        out[f"self_consistent_subset|{key}"] = (
            "self_consistent_subset",
            lambda vals=vals, fdr=fdr, reject=reject, names=names, kw=kw: subset_spec(
                vals, fdr, reject, names, **kw
            ),
            key in ("ok", "groups", "nan", "groups:missing", "budget=-1"),
        )

    def hull_spec(fpr, tpr, reject=False):
        def call():
            return roc_convex_hull(fpr, tpr)

        def check(h):
            problems = []
            for name in ("fpr", "tpr"):
                v = np.asarray(getattr(h, name))
                if v.dtype.kind != "f" or not np.all(np.isfinite(v)):
                    problems.append(f"{name}: dtype {v.dtype} or non-finite")
                elif v.min() < 0 or v.max() > 1:
                    problems.append(f"{name} outside [0, 1]")
            if not (0 <= h.auc <= 1):
                problems.append(f"auc {h.auc}")
            if np.any(np.diff(np.asarray(h.fpr, dtype=float)) < 0):
                problems.append("fpr not increasing")
            return problems

        return Spec(call, check, (fpr, tpr), must_reject=reject, names=(r"fpr", r"tpr"))

    f = rng.uniform(size=6)
    t = np.clip(f + 0.2, 0, 1)
    hull = {
        "ok": (f, t, False),
        "nan": (_v(f, 0, np.nan), t, True),
        "inf": (f, _v(t, 0, np.inf), True),
        "above-one": (_v(f, 0, 1.5), t, True),
        "negative": (f, _v(t, 0, -0.1), True),
        "empty": (f[:0], t[:0], False),
        "length-mismatch": (f, t[:-1], True),
        "2d": (f[:, None], t[:, None], True),
        "complex": (f + 0.5j, t, True),
        "complex-real": (f.astype(complex), t, True),
        "strings": (f.astype(str), t, True),
        "object": (f.astype(object), t, False),
        "float16": (f.astype(np.float16), t.astype(np.float16), False),
        "int": ((f > 0.5).astype(int), (t > 0.5).astype(int), False),
        "bool": (f > 0.5, t > 0.5, False),
        "pandas-Float64": (_pd().Series(f).astype("Float64"), _pd().Series(t), False),
        "list": (f.tolist(), t.tolist(), False),
        "scalar": (0.3, 0.6, True),
        "tiny": (f * 5e-324, t * 5e-324, False),
    }
    for key, (a, b, reject) in hull.items():
        out[f"roc_convex_hull|{key}"] = (
            "roc_convex_hull",
            lambda a=a, b=b, reject=reject: hull_spec(a, b, reject),
            key in ("ok", "nan", "complex", "complex-real", "length-mismatch"),
        )

    from skselect.metrics import relevance_weighted_rmse, sera, sera_scorer
    from skselect.over_sampling import relevance, relevance_control_points

    def relevance_spec(fn, args, kwargs, reject, names):
        def call():
            return fn(*args, **kwargs)

        def check(out):
            value = np.asarray(out, dtype=np.float64)
            if not np.all(np.isfinite(value)):
                return ["non-finite output"]
            if fn is relevance and (value.min(initial=0) < 0 or value.max(initial=0) > 1):
                return ["relevance outside [0, 1]"]
            if fn in (sera, relevance_weighted_rmse) and value < 0:
                return ["negative error"]
            return []

        inputs = args + tuple(v for v in kwargs.values() if not isinstance(v, str))
        return Spec(call, check, inputs, must_reject=reject, names=names)

    target = np.exp(rng.normal(size=40))
    pred = target + rng.normal(size=40)
    points = [[0.0, 0.0, 0.0], [3.0, 1.0, 0.0]]
    y_names = (r"\by\b", r"y_true", r"y_pred", r"target")
    relevance_inputs = {
        "ok": ((target,), {}, False),
        "explicit": ((target,), {"control_points": points}, False),
        "nan": ((_v(target, 0, np.nan),), {}, True),
        "inf": ((_v(target, 0, np.inf),), {}, True),
        "empty": ((target[:0],), {}, True),
        "2d": ((np.c_[target, target],), {}, True),
        "complex": ((target + 1j,), {}, True),
        "strings": ((target.astype(str).astype(object) + "x",), {}, True),
        "constant": ((np.ones(10),), {}, False),
        "one-value": ((target[:1],), {}, False),
        "huge": ((_huge(target),), {}, False),
        "tiny": ((target * 5e-324,), {}, False),
        "float16": ((target.astype(np.float16),), {}, False),
        "pandas-Float64": ((_pd().Series(target).astype("Float64"),), {}, False),
        "points-nan": ((target,), {"control_points": [[0, np.nan, 0]]}, True),
        "points-phi-2": ((target,), {"control_points": [[0, 2, 0], [1, 0, 0]]}, True),
        "points-duplicate": ((target,), {"control_points": [[0, 1, 0], [0, 0, 0]]}, True),
        "points-huge-slope": ((target,), {"control_points": [[0, 0, 1e308], [1, 1, 1e308]]}, False),
        "coef=0": ((target,), {"coef": 0}, True),
        "coef=nan": ((target,), {"coef": float("nan")}, True),
    }
    for key, (args, kwargs, reject) in relevance_inputs.items():
        names = y_names + (r"control_points", r"coef")
        for fn in (relevance, relevance_control_points):
            if fn is relevance_control_points and "control_points" in kwargs:
                continue
            out[f"{fn.__name__}|{key}"] = (
                fn.__name__,
                lambda fn=fn, a=args, k=kwargs, r=reject, n=names: relevance_spec(fn, a, k, r, n),
                key in ("ok", "nan", "complex", "constant", "points-phi-2"),
            )
    metric_inputs = {
        "ok": ((target, pred), {}, False),
        "explicit": ((target, pred), {"relevance": points}, False),
        "y_true-nan": ((_v(target, 0, np.nan), pred), {}, True),
        "y_pred-inf": ((target, _v(pred, 0, np.inf)), {}, True),
        "length-mismatch": ((target, pred[:-1]), {}, True),
        "empty": ((target[:0], pred[:0]), {}, True),
        "2d": ((np.c_[target, target], pred), {}, True),
        "complex": ((target, pred + 1j), {}, True),
        "huge": ((_huge(target), -_huge(pred)), {}, False),
        "weights-negative": ((target, pred), {"sample_weight": -np.ones(40)}, True),
        "weights-nan": ((target, pred), {"sample_weight": np.full(40, np.nan)}, True),
        "weights-short": ((target, pred), {"sample_weight": np.ones(39)}, True),
        "relevance-bogus": ((target, pred), {"relevance": "bogus"}, True),
    }
    for key, (args, kwargs, reject) in metric_inputs.items():
        names = y_names + (r"sample_weight", r"relevance", r"[Nn]egative", r"inconsistent")
        for fn in (sera, relevance_weighted_rmse):
            out[f"{fn.__name__}|{key}"] = (
                fn.__name__,
                lambda fn=fn, a=args, k=kwargs, r=reject, n=names: relevance_spec(fn, a, k, r, n),
                key in ("ok", "y_true-nan", "length-mismatch", "weights-negative"),
            )

    def scorer_spec(kwargs, reject):
        from sklearn.linear_model import Ridge

        X = rng.normal(size=(40, 2))

        def call():
            return sera_scorer(**kwargs)(Ridge().fit(X, target), X, target)

        def check(value):
            return [] if np.isfinite(value) and value <= 0 else [f"score {value}"]

        return Spec(call, check, (X,), must_reject=reject, names=(r"relevance", r"coef"))

    for key, (kwargs, reject) in {
        "ok": ({}, False),
        "explicit": ({"relevance": points}, False),
        "relevance-bogus": ({"relevance": "bogus"}, True),
        "coef=-1": ({"coef": -1}, True),
    }.items():
        out[f"sera_scorer|{key}"] = (
            "sera_scorer",
            lambda k=kwargs, r=reject: scorer_spec(k, r),
            key in ("ok", "relevance-bogus"),
        )

    from skselect import datasets

    def loader_spec(fn, kwargs, reject, names):
        def call():
            return fn(**kwargs)

        def check(out):
            if kwargs.get("return_X_y"):
                X, y = out
            else:
                X, y = out.data, out.target
            Xn = _to_numpy(X)
            problems = []
            if len(Xn) != len(_to_numpy(y)):
                problems.append("X and y lengths differ")
            if not _is_finite_array(Xn):
                problems.append("non-finite data")
            return problems

        return Spec(call, check, (), must_reject=reject, names=names)

    for loader in datasets.__all__:
        fn = getattr(datasets, loader)
        variants = {
            "default": ({}, False, ()),
            "return_X_y": ({"return_X_y": True}, False, ()),
            "as_frame": ({"as_frame": True}, False, ()),
            "return_X_y=string": ({"return_X_y": "yes"}, True, (r"return_X_y",)),
            "as_frame=nan": ({"as_frame": float("nan")}, True, (r"as_frame",)),
            "unknown-argument": ({"colour": "red"}, True, (r"colour", r"argument")),
        }
        if loader == "load_wine_quality":
            variants["color=bogus"] = ({"color": "bogus"}, True, (r"color",))
            variants["color=None"] = ({"color": None}, True, (r"color",))
            variants["color=red"] = ({"color": "red"}, False, ())
        for key, (kwargs, reject, names) in variants.items():
            out[f"{loader}|{key}"] = (
                loader,
                lambda fn=fn, kwargs=kwargs, reject=reject, names=names: loader_spec(
                    fn, kwargs, reject, names
                ),
                key in ("default", "return_X_y=string"),
            )
    out.update(_inspection_cases())
    return out


def _inspection_cases():
    """id -> (target, make_spec, ci) for the ordinal inspection functions, the displays and
    estimator discovery."""
    import numpy as np

    from skselect import ordinal
    from skselect.utils import all_estimators

    out = {}
    X, y = _classification()

    def plt_test_spec(Xv, yv, reject, names, **kw):
        def call():
            return ordinal.parallel_lines_test(Xv, yv, **kw)

        def check(res):
            problems = []
            stats = np.asarray(res.statistic, dtype=float)
            p = np.asarray(res.pvalue, dtype=float)
            if not (np.all(np.isfinite(stats)) and np.all(stats >= 0)):
                problems.append(f"statistics {stats}")
            if not (np.all(p >= 0) and np.all(p <= 1)):
                problems.append(f"p-values {p}")
            if not 0 <= res.omnibus_pvalue <= 1:
                problems.append(f"omnibus p-value {res.omnibus_pvalue}")
            return problems

        return Spec(call, check, (Xv, yv), must_reject=reject, names=names)

    plt_cases = {
        "ok": (X, y, False, ()),
        "X:nan": (_with(X, at={(0, 0): np.nan}), y, True, _X),
        "X:inf": (_with(X, at={(1, 1): np.inf}), y, True, _X),
        "y:one-class": (X, np.zeros_like(y), True, _Y),
        "y:two-classes": (X, (y > 0).astype(int), True, _Y + (r"classes",)),
        "y:strings": (X, np.array(["lo", "mid", "hi"])[y], False, ()),
        "y:float-nan": (X, _v(y.astype(float), 0, np.nan), True, _Y),
        "shape-mismatch": (X, y[:-1], True, _BOTH),
        "X:1d": (X[:, 0], y, True, _X),
        "X:empty": (X[:0], y[:0], True, _BOTH),
        "sample_weight:negative": (X, y, True, (r"sample_weight", r"weights?")),
        "tol:negative": (X, y, True, (r"\btol\b",)),
        "max_iter:zero": (X, y, True, (r"max_iter",)),
    }
    extra = {
        "sample_weight:negative": {"sample_weight": -np.ones(len(y))},
        "tol:negative": {"tol": -1.0},
        "max_iter:zero": {"max_iter": 0},
    }
    for key, (Xv, yv, reject, names) in plt_cases.items():
        kwargs = extra.get(key, {})
        out[f"parallel_lines_test|{key}"] = (
            "parallel_lines_test",
            lambda Xv=Xv, yv=yv, reject=reject, names=names, kw=kwargs: plt_test_spec(
                Xv, yv, reject, names, **kw
            ),
            key in ("ok", "X:nan", "y:one-class"),
        )

    def fitted(name):
        from sklearn.linear_model import LinearRegression

        classes, base = _estimators()
        if name in ("ConformalSelector", "OptCSSelector"):
            Xr, yr = _regression()
            return classes[name](**base[name]).fit(Xr[:40], yr[:40]), Xr[40:]
        if name == "PPP":
            return classes[name]().fit(_blobs()[0]), None
        if name == "LinearRegression":
            return LinearRegression().fit(X, y), None
        return classes[name](**base[name]).fit(X, y), None

    def coef_spec(make_estimator, reject, names, **kw):
        def call():
            return ordinal.coef_table(make_estimator(), **kw)

        def check(table):
            values = np.asarray(table, dtype=float)
            return [] if np.all(np.isfinite(values)) else ["non-finite coefficients"]

        return Spec(call, check, (), must_reject=reject, names=names)

    coef_cases = {
        "PRESTOClassifier": (lambda: fitted("PRESTOClassifier")[0], False, (), {}),
        "ProportionalOddsClassifier": (
            lambda: fitted("ProportionalOddsClassifier")[0],
            False,
            (),
            {},
        ),
        "unfitted": (ordinal.PRESTOClassifier, True, (r"fitted",), {}),
        "wrong-estimator": (
            lambda: fitted("LinearRegression")[0],
            True,
            (r"coef_table", r"estimator", r"PRESTOClassifier"),
            {},
        ),
        "string": (lambda: "PRESTOClassifier", True, (r"coef_table", r"PRESTOClassifier"), {}),
        "feature_names:too-few": (
            lambda: fitted("PRESTOClassifier")[0],
            True,
            (r"feature_names",),
            {"feature_names": ["a"]},
        ),
        "feature_names:scalar": (
            lambda: fitted("PRESTOClassifier")[0],
            True,
            (r"feature_names",),
            {"feature_names": "abc"},
        ),
    }
    for key, (make_estimator, reject, names, kw) in coef_cases.items():
        out[f"coef_table|{key}"] = (
            "coef_table",
            lambda m=make_estimator, r=reject, n=names, kw=kw: coef_spec(m, r, n, **kw),
            key in ("PRESTOClassifier", "unfitted", "string"),
        )

    def names_spec(classes, reject):
        def call():
            return ordinal.boundary_names(classes)

        def check(names):
            n = len(classes)
            return [] if len(names) == max(n - 1, 0) else [f"{len(names)} names for {n} classes"]

        return Spec(call, check, (classes,), must_reject=reject, names=(r"classes",))

    names_cases = {
        "ints": (np.array([3, 4, 5]), False),
        "strings": (np.array(["low", "mid", "high"]), False),
        "one": (np.array([1]), False),
        "empty": (np.array([]), False),
        "2d": (np.array([[1, 2], [3, 4]]), True),
        "scalar-string": ("abc", True),
        "repeated": (np.array([1, 1, 2]), True),
        "nan": (np.array([np.nan, 1.0, 2.0]), True),
    }
    for key, (classes, reject) in names_cases.items():
        out[f"boundary_names|{key}"] = (
            "boundary_names",
            lambda c=classes, r=reject: names_spec(c, r),
            key in ("ints", "repeated"),
        )

    def display_spec(call, reject, names, inputs=()):
        def guarded():
            try:
                import matplotlib

                matplotlib.use("Agg")
            except ImportError as exc:
                raise _Skip("the displays draw with matplotlib, which is not installed") from exc
            import matplotlib.pyplot as plt

            try:
                return call()
            finally:
                plt.close("all")

        return Spec(guarded, lambda out: [], inputs, must_reject=reject, names=names)

    from skselect.cluster import SplitTreeDisplay
    from skselect.conformal import SelectionDisplay
    from skselect.metrics import RocConvexHullDisplay

    scores = _rng(5).uniform(size=len(y))
    score_nan = _v(scores, 0, np.nan)
    X_test_nan = _with(_regression()[0][40:], at={(0, 0): np.nan})
    labels = (y > 0).astype(int)
    display_cases = {
        "BoundaryCoefficientDisplay|ok": (
            lambda: ordinal.BoundaryCoefficientDisplay.from_estimator(
                fitted("PRESTOClassifier")[0]
            ),
            False,
            (),
        ),
        "BoundaryCoefficientDisplay|unfitted": (
            lambda: ordinal.BoundaryCoefficientDisplay.from_estimator(ordinal.PRESTOClassifier()),
            True,
            (r"fitted",),
        ),
        "BoundaryCoefficientDisplay|wrong-estimator": (
            lambda: ordinal.BoundaryCoefficientDisplay.from_estimator(
                fitted("LinearRegression")[0]
            ),
            True,
            (r"estimator", r"PRESTOClassifier"),
        ),
        "BoundaryCoefficientDisplay|features:unknown": (
            lambda: ordinal.BoundaryCoefficientDisplay.from_estimator(
                fitted("PRESTOClassifier")[0], features=["nope"]
            ),
            True,
            (r"features?",),
        ),
        "SplitTreeDisplay|ok": (
            lambda: SplitTreeDisplay.from_estimator(fitted("PPP")[0]),
            False,
            (),
        ),
        "SplitTreeDisplay|unfitted": (
            lambda: SplitTreeDisplay.from_estimator(_estimators()[0]["PPP"]()),
            True,
            (r"fitted",),
        ),
        "SplitTreeDisplay|max_depth:negative": (
            lambda: SplitTreeDisplay.from_estimator(fitted("PPP")[0], max_depth=-1),
            True,
            (r"max_depth",),
        ),
        "SplitTreeDisplay|wrong-estimator": (
            lambda: SplitTreeDisplay.from_estimator(fitted("LinearRegression")[0]),
            True,
            (r"estimator", r"PPP"),
        ),
        "SelectionDisplay|ok": (
            lambda: SelectionDisplay.from_estimator(*fitted("ConformalSelector")),
            False,
            (),
        ),
        "SelectionDisplay|X:nan": (
            lambda: SelectionDisplay.from_estimator(fitted("ConformalSelector")[0], X_test_nan),
            True,
            _X,
        ),
        "SelectionDisplay|unfitted": (
            lambda: SelectionDisplay.from_estimator(
                _estimators()[0]["ConformalSelector"](**_estimators()[1]["ConformalSelector"]),
                _regression()[0],
            ),
            True,
            (r"fitted",),
        ),
        "RocConvexHullDisplay|from_predictions": (
            lambda: RocConvexHullDisplay.from_predictions(labels, scores),
            False,
            (),
        ),
        "RocConvexHullDisplay|one-class": (
            lambda: RocConvexHullDisplay.from_predictions(np.zeros_like(labels), scores),
            True,
            (r"y_true", r"class", r"label"),
        ),
        "RocConvexHullDisplay|score-nan": (
            lambda: RocConvexHullDisplay.from_predictions(labels, score_nan),
            True,
            (r"y_score",),
        ),
        "RocConvexHullDisplay|from_rates:outside": (
            lambda: RocConvexHullDisplay.from_rates([0.0, 1.5], [0.0, 1.0]),
            True,
            (r"fpr",),
        ),
    }

    def display_inputs(cid):
        # The non-finite inputs, so that an error about them is judged on its wording.
        return {
            "SelectionDisplay|X:nan": (X_test_nan,),
            "RocConvexHullDisplay|score-nan": (score_nan,),
        }.get(cid, ())

    for cid, (call, reject, names) in display_cases.items():
        out[cid] = (
            cid.split("|")[0],
            lambda c=call, r=reject, n=names, cid=cid: display_spec(c, r, n, display_inputs(cid)),
            cid.endswith(("|ok", "|unfitted", "|from_predictions")),
        )

    def discovery_spec(type_filter, reject):
        def call():
            return all_estimators(type_filter=type_filter)

        def check(found):
            return [] if all(isinstance(c, type) for _, c in found) else ["non-class entries"]

        return Spec(call, check, (), must_reject=reject, names=(r"type_filter",))

    discovery_cases = {
        "default": (None, False),
        "classifier": ("classifier", False),
        "list": (["classifier", "cluster"], False),
        "bogus": ("bogus", True),
        "number": (3, True),
    }
    for key, (type_filter, reject) in discovery_cases.items():
        out[f"all_estimators|{key}"] = (
            "all_estimators",
            lambda t=type_filter, r=reject: discovery_spec(t, r),
            key in ("default", "bogus"),
        )

    import skselect

    out["show_versions|default"] = (
        "show_versions",
        lambda: Spec(skselect.show_versions, lambda out: [], ()),
        True,
    )
    return out


def public_names():
    """Every name a public subpackage exports, as ``(subpackage, name)``."""
    import importlib

    import skselect

    found = []
    for name in skselect.__all__:
        try:
            module = importlib.import_module(f"skselect.{name}")
        except ImportError:  # a top-level function, not a subpackage
            found.append(("skselect", name))
            continue
        found.extend((name, member) for member in module.__all__)
    return found


def untargeted_public_names():
    """Public names no case targets (an estimator counts through any of its cases; a
    display, through the cases of its constructors)."""
    targets = {case.target for case in all_cases().values()}
    return sorted(f"{family}.{name}" for family, name in public_names() if name not in targets)


def _v(a, i, value):
    import numpy as np

    a = np.array(
        a, dtype=np.result_type(a, type(value)) if not isinstance(value, float) else np.float64
    )
    a[i] = value
    return a


# --------------------------------------------------------------------------------------------
# The case registry


# Settings other than the default under which every input case runs again: the cumulative
# links of the ordinal models evaluate different tails (full run; one case each in the tests).
_VARIANTS = {
    name: [{"link": link} for link in ("probit", "cloglog", "loglog", "cauchit")]
    for name in ("PRESTOClassifier", "PRESTOClassifierCV", "ProportionalOddsClassifier")
}
_VARIANT_CI_INPUTS = ("X:max-float",)


def all_cases():
    """Every case, by id (built lazily: a case's data are made only when it runs)."""
    cases = {}
    classes, base = _estimators()
    for name in sorted(classes):
        for params in [{}, *_VARIANTS.get(name, [])]:
            tag = "".join(f"[{k}={v}]" for k, v in params.items())
            for key, (fn, ci) in _xy_inputs(name).items():

                def make(name=name, fn=fn, params=params):
                    X, y = _base_data(name)
                    X, y, reject, names = fn(X, y)
                    return _estimator_spec(name, params, X, y, must_reject=reject, names=names)

                cid = f"{name}{tag}|{key}"
                variant_ci = key in _VARIANT_CI_INPUTS
                cases[cid] = Case(cid, name, key, make, ci if not params else variant_ci)
        for key, (param, value, reject, ci) in _param_cases(name).items():

            def make(name=name, param=param, value=value, reject=reject):
                X, y = _base_data(name)
                return _estimator_spec(
                    name, {param: value}, X, y, must_reject=reject, names=(re.escape(param),)
                )

            cid = f"{name}|{key}"
            cases[cid] = Case(cid, name, key, make, ci)
    for cid, (target, make, ci) in _function_cases().items():
        cases[cid] = Case(cid, target, cid.split("|", 1)[1], make, ci)
    return cases


def _registry():
    """``all_cases`` plus the self-test cases, which only run when asked for by id."""
    return {**all_cases(), **_self_test_cases()}


def _self_test_cases():
    """Cases that misbehave on purpose, so the tests can check that each verdict is given."""
    import numpy as np

    def spec(call, check=lambda out: [], inputs=(), **kw):
        return lambda: Spec(call, check, inputs, **kw)

    data = np.arange(6.0)

    def modify():
        data[0] = -1.0

    cases = {
        "ok": spec(lambda: 1),
        "clear-error": spec(_raise(ValueError("bad value for fdr")), names=(r"fdr",)),
        "unclear-error": spec(_raise(IndexError("index 7 is out of bounds")), names=(r"fdr",)),
        "crash": spec(lambda: os.kill(os.getpid(), signal.SIGSEGV)),
        "hang": spec(lambda: time.sleep(3600)),
        "bad-output": spec(lambda: -1, check=lambda out: ["negative"] if out < 0 else []),
        "accepts-invalid": spec(lambda: 1, must_reject=True),
        "modifies-input": spec(modify, inputs=(data,)),
    }
    return {
        f"_selftest|{key}": Case(f"_selftest|{key}", "_selftest", key, make)
        for key, make in cases.items()
    }


def _raise(exc):
    def call():
        raise exc

    return call


def ci_case_ids():
    """The bounded subset the test suite runs."""
    return [cid for cid, case in all_cases().items() if case.ci]


# --------------------------------------------------------------------------------------------
# Running one case (inside the worker)


def _fingerprint(obj):
    """What a caller can observe of ``obj``: its type, dtype(s), shape and values (caches
    and internal layouts that a container rebuilds on access do not count)."""
    import numpy as np
    import scipy.sparse as sp

    if obj is None or isinstance(obj, (int, float, str, bool)):
        return repr(obj)
    if sp.issparse(obj):
        return ("sparse", obj.format, str(obj.dtype), obj.shape, _fingerprint(obj.toarray()))
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            return ("object", obj.shape, pickle.dumps(obj.tolist(), protocol=4))
        return ("ndarray", obj.dtype.str, obj.shape, np.ascontiguousarray(obj).tobytes())
    module = type(obj).__module__.split(".")[0]
    if module in ("pandas", "polars"):
        dtypes = getattr(obj, "dtypes", getattr(obj, "dtype", None))
        names = list(getattr(obj, "columns", [getattr(obj, "name", None)]))
        values = obj.to_numpy() if module == "polars" else obj.to_numpy(dtype=object)
        return (module, str(dtypes), repr(names), pickle.dumps(values.tolist(), protocol=4))
    try:
        return pickle.dumps(obj, protocol=4)
    except Exception:
        return None


def _snapshot(objects):
    return [_fingerprint(obj) for obj in objects]


# A message about NaN or infinity is misleading when every input is finite (an overflow
# inside the method reported as bad input).
_NON_FINITE_MESSAGE = re.compile(r"contains? (NaN|inf)|infs or NaNs|NaN or infinit", re.IGNORECASE)


def _inputs_finite(inputs):
    import numpy as np

    for obj in inputs:
        if obj is None or isinstance(obj, (str, bool)):
            continue
        if type(obj).__module__.split(".")[0] == "pandas" and bool(np.asarray(obj.isna()).any()):
            return False  # pd.NA in a nullable column is a missing value too
        if type(obj).__module__.split(".")[0] == "polars" and obj.null_count() is not None:
            nulls = obj.null_count()
            if nulls.sum_horizontal().item() if hasattr(nulls, "sum_horizontal") else nulls:
                return False
        try:
            values = _to_numpy(obj)
            if values.dtype.kind in "fc" and not np.all(np.isfinite(values)):
                return False
            if values.dtype.kind == "O" and not np.all(np.isfinite(values.astype(np.float64))):
                return False
        except (TypeError, ValueError):
            continue
    return True


def _clear(exc, names, inputs_finite=False):
    if not isinstance(exc, (ValueError, TypeError)):
        return False
    message = str(exc)
    if inputs_finite and _NON_FINITE_MESSAGE.search(message):
        return False
    return any(re.search(pattern, message, flags=re.IGNORECASE) for pattern in names)


def run_case(case_id):
    """Run one case in this process; return a dict with its verdict and details."""
    import numpy as np

    case = _registry()[case_id]
    try:
        spec = case.make()
    except _Skip as exc:
        return {"verdict": "skipped", "detail": str(exc)}
    before = _snapshot(spec.inputs)
    detail, verdict = "", None
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            try:
                result = spec.call()
            except _Skip as exc:
                return {"verdict": "skipped", "detail": str(exc)}
            except BaseException as exc:  # noqa: BLE001 (classifying every failure is the point)
                result = None
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
                detail = f"{type(exc).__name__}: {_one_line(exc)} [at {where}]"
                clear = _clear(exc, spec.names, _inputs_finite(spec.inputs))
                verdict = "clear error" if clear else "unclear error"
                error = exc
            else:
                error = None
                try:
                    problems = spec.check(result)
                except Exception as exc:  # noqa: BLE001
                    frame = traceback.extract_tb(exc.__traceback__)[-1]
                    where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
                    problems = [
                        f"using the fitted result failed: {type(exc).__name__}: {_one_line(exc)}"
                        f" [at {where}]"
                    ]
                    if not isinstance(exc, (ValueError, TypeError)):
                        verdict = "unclear error"
                if verdict is None:
                    if problems:
                        verdict, detail = "silent bad output", "; ".join(problems)
                    elif spec.must_reject:
                        verdict, detail = "silent bad output", "accepted input that is invalid"
                    else:
                        verdict = "ok"
                else:
                    detail = "; ".join(problems)
    elapsed = time.perf_counter() - start
    if _snapshot(spec.inputs) != before:
        verdict = "silent bad output"
        detail = ("input modified; " + detail).strip("; ")
    if os.environ.get("SKSELECT_FUZZ_TRACEBACK") == "1" and error is not None:
        traceback.print_exception(error, file=sys.stderr)
    warned = sorted({w.category.__name__ for w in caught})
    return {"verdict": verdict, "detail": detail, "seconds": round(elapsed, 3), "warnings": warned}


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")


def _worker_main():
    """Answer case ids read from stdin, one JSON line each, on the original stdout."""
    import faulthandler
    import resource

    faulthandler.enable()
    with contextlib.suppress(ValueError, OSError):
        # RLIMIT_DATA counts what the process writes to (heap, anonymous mappings), not the
        # address space that allocators and thread stacks only reserve.
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = (
            MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
        )
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    # Anything the code under test prints goes to stderr, not into the answers.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    all_cases()  # build the registry (and import everything) before the first case
    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        case_id = line.strip()
        if not case_id:
            continue
        answers.write(json.dumps(run_case(case_id)) + "\n")


# --------------------------------------------------------------------------------------------
# Running many cases (in the parent)


class Runner:
    """A worker subprocess that runs cases one by one, replaced after a crash or a hang."""

    def __init__(self, timeout=FULL_TIMEOUT, n_threads=1, show_output=False):
        self.timeout = timeout
        self.n_threads = n_threads
        # True: the worker's stderr (warnings, tracebacks) goes to the terminal.
        self.show_output = show_output
        self._proc = None
        self._log = None

    def _start(self):
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", str(self.n_threads))
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("MKL_NUM_THREADS", "1")
        # joblib's process workers for n_jobs > 1: keep them from outliving a killed worker.
        env.setdefault("LOKY_MAX_CPU_COUNT", "2")
        self._log = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if self.show_output else self._log,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: a kill takes its children too
        )
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._proc.stdout, selectors.EVENT_READ)
        ready = self._read(timeout=max(120.0, self.timeout))
        if ready is None or not ready.get("ready"):
            log = self._stderr_tail()
            self.close()
            raise RuntimeError(f"fuzz worker did not start: {log}")

    def _read(self, timeout):
        if not self._selector.select(timeout):
            return None
        line = self._proc.stdout.readline()
        if not line:
            return {"eof": True}
        return json.loads(line)

    def _stderr_tail(self):
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read()
        return " | ".join(text.strip().splitlines()[-6:])[-600:]

    def run(self, case_id, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        self._log.seek(0)
        self._log.truncate()
        start = time.perf_counter()
        try:
            self._proc.stdin.write(case_id + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            pass
        answer = self._read(timeout)
        if answer is None:
            self.close()
            return {"verdict": "hang", "detail": f"no answer within {timeout:g} s"}
        if answer.get("eof"):
            code = self._proc.wait()
            tail = self._stderr_tail()
            self.close()
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
            return {
                "verdict": "crash",
                "detail": f"worker died ({how}) {tail}".strip(),
                "seconds": round(time.perf_counter() - start, 3),
            }
        return answer

    def close(self):
        if self._proc is not None:
            if self._proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self._proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self._proc.wait(timeout=10)
            for stream in (self._proc.stdin, self._proc.stdout):
                with contextlib.suppress(Exception):
                    stream.close()
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None


def run_cases(case_ids, *, timeout, n_workers=1, progress=None, show_output=False):
    """Run ``case_ids`` over ``n_workers`` workers; return {case_id: result}."""
    import threading

    results = {}
    queue = collections.deque(case_ids)
    lock = threading.Lock()

    def work():
        runner = Runner(timeout=timeout, show_output=show_output)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    cid = queue.popleft()
                result = runner.run(cid)
                with lock:
                    results[cid] = result
                    if progress:
                        progress(cid, result, len(results), len(case_ids))
        finally:
            runner.close()

    threads = [threading.Thread(target=work) for _ in range(max(1, n_workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary_table(cases, results):
    """Markdown table: one row per target, one column per verdict."""
    columns = VERDICTS + ("skipped",)
    rows = collections.defaultdict(collections.Counter)
    for cid, result in results.items():
        rows[cases[cid].target][result["verdict"]] += 1
    lines = [
        "| target | cases | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    total = collections.Counter()
    for target in sorted(rows):
        counts = rows[target]
        total.update(counts)
        lines.append(
            f"| {target} | {sum(counts.values())} | "
            + " | ".join(str(counts.get(c, 0)) for c in columns)
            + " |"
        )
    lines.append(
        f"| **all** | {sum(total.values())} | "
        + " | ".join(str(total.get(c, 0)) for c in columns)
        + " |"
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="every case, not the test subset")
    parser.add_argument("--case", action="append", default=[], help="run these case ids")
    parser.add_argument("--match", help="only case ids containing this text")
    parser.add_argument("--list", action="store_true", help="print the case ids and stop")
    parser.add_argument("--out", help="write one CSV row per case here")
    parser.add_argument("--timeout", type=float, help="seconds per case")
    parser.add_argument("--workers", type=int, default=2, help="cases run in parallel")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker_main()
        return 0
    cases = _registry()
    if args.case:
        unknown = [c for c in args.case if c not in cases]
        if unknown:
            parser.error(f"unknown case ids {unknown}; see --list")
        ids = args.case
    else:
        ids = [
            c for c, case in cases.items() if case.target != "_selftest" and (args.full or case.ci)
        ]
    if args.match:
        ids = [c for c in ids if args.match in c]
    if args.list:
        print("\n".join(ids))
        return 0
    timeout = args.timeout or (FULL_TIMEOUT if args.full else CI_TIMEOUT)
    if args.case:
        os.environ["SKSELECT_FUZZ_TRACEBACK"] = "1"

    def progress(cid, result, done, total):
        if result["verdict"] not in GOOD or args.case:
            print(f"[{done}/{total}] {result['verdict']:<17} {cid}  {result.get('detail', '')}")
            sys.stdout.flush()

    start = time.perf_counter()
    with contextlib.suppress(KeyboardInterrupt):
        results = run_cases(
            ids,
            timeout=timeout,
            n_workers=args.workers,
            progress=progress,
            show_output=bool(args.case),
        )
    elapsed = time.perf_counter() - start
    if args.out:
        with open(args.out, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["case", "target", "input", "verdict", "seconds", "detail", "warnings"])
            for cid in ids:
                if cid not in results:
                    continue
                r = results[cid]
                writer.writerow(
                    [
                        cid,
                        cases[cid].target,
                        cases[cid].input,
                        r["verdict"],
                        r.get("seconds", ""),
                        r.get("detail", ""),
                        " ".join(r.get("warnings", [])),
                    ]
                )
    print()
    print(summary_table(cases, results))
    print(f"\n{len(results)} cases in {elapsed:.0f} s")
    bad = [c for c in ids if c in results and results[c]["verdict"] not in GOOD + ("skipped",)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
