"""Composite selection targets: which labels count as discoveries, and how a regressor's
prediction ranks the units for them.

Every target reduces to conformal selection on the binary label ``Z = 1{y in A}`` (Jin and
Candès, 2023): the clipped score ``inf * Z - g(x)`` with any ranking ``g``, so the
unit-level FDR guarantee is unchanged. ``A`` is ``(threshold, inf)`` by default, a union of
open intervals, or the set where a callable ``target(y, X)`` is true (multi-output ``y``
allowed). A classifier is fitted on ``Z`` and ranks by ``P(Z = 1 | x)``; a regressor is
fitted on ``y`` and ranks by how far inside ``A`` its prediction lies (Hao et al., 2025; Bai
et al., 2025): ``min(mu - lo, hi - mu)`` for an interval, the largest of these for a union,
or ``target_ranking(prediction, X)`` for a callable target.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np


def _check_target(target):
    """Normalise ``target``: None, a list of ``(lo, hi)`` pairs, or the callable."""
    if target is None or callable(target):
        return target
    accepted = (
        "target must be None, ('interval', lo, hi) with lo < hi, a list of such tuples "
        "(their union), or a callable target(y, X) returning one bool per sample; got "
    )
    items = [target] if isinstance(target, tuple) else target
    if not isinstance(items, list) or not items:
        raise ValueError(accepted + f"{target!r}.")
    intervals = []
    for item in items:
        if not (
            isinstance(item, tuple)
            and len(item) == 3
            and item[0] == "interval"
            and all(isinstance(v, Real) and not isinstance(v, bool) for v in item[1:])
            and not np.isnan(item[1:]).any()
            and item[1] < item[2]
        ):
            raise ValueError(accepted + f"{item!r} in {target!r}.")
        intervals.append((float(item[1]), float(item[2])))
    return intervals


def _in_target(selector, y, X):
    """``Z = 1{y in A}`` for every sample, as a bool array."""
    target = _check_target(selector.target)
    if target is None:
        return np.asarray(y > selector.threshold)
    if callable(target):
        inside = np.asarray(target(y, X))
        n_samples = X.shape[0]
        if inside.shape != (n_samples,) or inside.dtype.kind not in "biu":
            raise ValueError(
                "target(y, X) must return one bool per sample: expected a bool array of "
                f"shape ({n_samples},), got dtype {inside.dtype} and shape {inside.shape}."
            )
        if inside.dtype.kind != "b" and not np.isin(inside, (0, 1)).all():
            raise ValueError("target(y, X) must return booleans (or 0/1 integers).")
        return inside.astype(bool)
    inside = np.zeros(np.shape(y), dtype=bool)
    for lo, hi in target:
        inside |= (y > lo) & (y < hi)
    return inside


def _target_description(selector):
    """How messages name the target: 'No calibration label <description>'."""
    if selector.target is None:
        return f"exceeds threshold={selector.threshold!r}"
    if callable(selector.target):
        return "is inside the target (target(y, X) is True for none)"
    return f"is inside target={selector.target!r}"


def _prediction_transform(selector):
    """Maps a regressor's raw prediction (and X) to the ranking, or None for the prediction
    itself (the threshold target, or a classifier's probability)."""
    target = _check_target(selector.target)
    target_ranking = getattr(selector, "target_ranking", None)
    if target_ranking is not None:
        return target_ranking
    if target is None:
        return None
    if callable(target):
        # _check_target_ranking refuses this combination for regressors before any fit.
        return None

    def signed_distance(prediction, X):
        prediction = np.asarray(prediction, dtype=np.float64)
        if prediction.ndim == 2 and prediction.shape[1] == 1:
            prediction = prediction[:, 0]
        # Inside an interval: distance to the nearer end; outside: minus the distance.
        return np.max([np.minimum(prediction - lo, hi - prediction) for lo, hi in target], axis=0)

    return signed_distance


def _check_target_ranking(selector, estimators):
    """A callable target with a regressor needs ``target_ranking``; the residual score
    needs the threshold target."""
    from sklearn.base import is_classifier

    if getattr(selector, "conformity_score", "clip") != "clip" and selector.target is not None:
        raise ValueError(
            "conformity_score='residual' needs the threshold target (y > threshold); with "
            f"target={selector.target!r} use conformity_score='clip'."
        )
    if not callable(selector.target) or getattr(selector, "target_ranking", None) is not None:
        return
    regressors = [type(e).__name__ for e in estimators if not is_classifier(e)]
    if regressors:
        raise ValueError(
            "A callable target with a regressor needs target_ranking, a callable "
            "target_ranking(prediction, X) returning one number per sample (larger = more "
            f"likely inside the target); got target_ranking=None for {', '.join(regressors)}. "
            "Or use a classifier, which is fitted on the target indicator."
        )
