"""Density-ratio weights for weighted conformal selection: known, estimated by a
cross-fitted classifier, clipped, and their effective sample size."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._indexing import _safe_indexing

from skselect.conformal._base import _is_pandas_df

# Below this share of the calibration units the weights rest on too few units for the
# p-values to be trusted (or fine enough to select anything).
ESS_WARNING_FRACTION = 0.1


def _is_weight_classifier(weight_function):
    """A classifier to fit (anything with fit and predict_proba), not a known ratio."""
    return hasattr(weight_function, "fit") and hasattr(weight_function, "predict_proba")


def _stack(X_calib, X_test):
    if _is_pandas_df(X_calib):
        import pandas as pd

        return pd.concat([X_calib, X_test], ignore_index=True)
    import scipy.sparse as sp

    if sp.issparse(X_calib) or sp.issparse(X_test):
        return sp.vstack([X_calib, X_test], format="csr")
    return np.concatenate([np.asarray(X_calib), np.asarray(X_test)])


def _cross_fitted_density_ratio(classifier, X_calib, X_test, n_splits, random_state):
    """w(x) = (n / m) P(test | x) / P(calibration | x), each unit's probability from a
    classifier fitted on the other folds of calibration + test covariates.

    Cross-fitting rather than one split: every calibration unit keeps its place in the
    p-values and every test unit can be selected, while no unit's weight comes from a model
    that saw it (an overfit classifier would otherwise give calibration units weights near 0
    and test units large ones: p-values too small, too many false discoveries).
    """
    n_calib, n_test = X_calib.shape[0], X_test.shape[0]
    X_all = _stack(X_calib, X_test)
    membership = np.r_[np.zeros(n_calib, dtype=np.int64), np.ones(n_test, dtype=np.int64)]
    n_splits = min(n_splits, n_calib, n_test)
    if n_splits < 2:
        raise ValueError(
            f"Estimating the density ratio needs at least 2 calibration and 2 test units; got "
            f"{n_calib} and {n_test}."
        )
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    prob_test = np.empty(n_calib + n_test)
    for train, held_out in folds.split(np.zeros(n_calib + n_test), membership):
        model = clone(classifier).fit(_safe_indexing(X_all, train), membership[train])
        classes = list(model.classes_)
        proba = model.predict_proba(_safe_indexing(X_all, held_out))
        prob_test[held_out] = proba[:, classes.index(1)]
    # A probability of exactly 0 or 1 gives a weight of 0 or inf: keep them inside (0, 1).
    eps = 1.0 / (2.0 * (n_calib + n_test))
    prob_test = np.clip(prob_test, eps, 1.0 - eps)
    weights = (n_calib / n_test) * prob_test / (1.0 - prob_test)
    return weights[:n_calib], weights[n_calib:]


def _clip_weights(calib_weights, test_weights, weight_clip):
    """Clip both into [mean / weight_clip, mean * weight_clip], mean over calibration."""
    if weight_clip is None:
        return calib_weights, test_weights
    largest = calib_weights.max(initial=0.0)
    if largest == 0.0:
        return calib_weights, test_weights
    # The mean of the scaled weights cannot overflow for weights near the float maximum.
    centre = (calib_weights / largest).mean() * largest
    if centre == 0.0:
        return calib_weights, test_weights
    low, high = centre / weight_clip, centre * weight_clip
    return np.clip(calib_weights, low, high), np.clip(test_weights, low, high)


def effective_sample_size(weights):
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (0 for all-zero weights)."""
    weights = np.asarray(weights, dtype=np.float64)
    largest = weights.max(initial=0.0)
    if largest == 0.0:
        return 0.0
    scaled = weights / largest  # no overflow for weights near the float maximum
    return float(scaled.sum() ** 2 / (scaled**2).sum())


def _warn_if_small_ess(ess, n_calib, stacklevel=4):
    if ess < ESS_WARNING_FRACTION * n_calib:
        warnings.warn(
            f"The calibration weights have an effective sample size of {ess:.1f} out of "
            f"{n_calib} calibration units (below {ESS_WARNING_FRACTION:.0%}): a few units carry "
            "most of the weight, so the p-values are coarse and, with estimated weights, "
            "unreliable. The shift may be too large for these calibration data; consider "
            "weight_clip, or calibration data closer to the test distribution.",
            UserWarning,
            stacklevel=stacklevel,
        )
