"""SMOTEUnderSampler on Dask arrays: the SMOTE step stays lazy, the under-sampling draw needs
the labels.

Random under-sampling draws which majority rows to keep with one ``choice`` over the whole
class, and imbalanced-learn returns the kept rows grouped by class in that drawn order. The
labels (one value per row, small next to ``X``) are therefore gathered to draw exactly the
in-memory indices; ``X`` itself is only indexed lazily.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np
from imblearn.under_sampling import RandomUnderSampler
from sklearn.utils.validation import validate_data

from skselect.combine._smote_under import SMOTEUnderSampler, _synthetic_count
from skselect.over_sampling._smote import SMOTE
from skselect.over_sampling._smote_dask import _class_counts, _Input
from skselect.utils._dask import import_dask, register_dask_implementation


def smote_under_dask(sampler, X, y):
    """Lazy ``SMOTEUnderSampler.fit_resample`` on a Dask array."""
    import_dask()
    import dask.array as da

    sampler._validate_params()
    if hasattr(X, "columns"):
        raise TypeError(
            "SMOTEUnderSampler accepts Dask arrays; for a Dask DataFrame pass "
            "X.to_dask_array(lengths=True) and y.to_dask_array(lengths=True)."
        )
    data = _Input(X, y)
    classes, class_counts, _ = _class_counts(data)
    validate_data(sampler, X=data.meta(), reset=True, skip_check_array=True)
    counts = Counter(dict(zip(classes, class_counts.tolist(), strict=True)))
    minority = min(sorted(counts), key=counts.get)
    majority = max(sorted(counts), key=counts.get)

    over_strategy = sampler.over_strategy
    if over_strategy is None:
        n_new = _synthetic_count(counts[minority], sampler.smote_percent, data.X)
        over_strategy = {minority: counts[minority] + n_new} if n_new > 0 else None
    sampler.smote_ = None
    X, y = data.X, data.y
    if over_strategy is not None:
        sampler.smote_ = SMOTE(
            sampling_strategy=over_strategy,
            k_neighbors=sampler.k_neighbors,
            random_state=sampler.random_state,
            n_jobs=sampler.n_jobs,
        )
        X, y = sampler.smote_.fit_resample(X, y)
        for label, n_new in sampler.smote_.sampling_strategy_.items():
            counts[label] += n_new

    under_strategy = sampler.under_strategy
    if under_strategy is None:
        target = max(1, int(counts[minority] * 100 / sampler.under_percent))
        under_strategy = {majority: target} if target < counts[majority] else None
    sampler.under_sampler_ = None
    if under_strategy is not None:
        sampler.under_sampler_ = RandomUnderSampler(
            sampling_strategy=under_strategy, random_state=sampler.random_state
        )
        labels = np.asarray(y.compute())
        # The draw needs the labels only: a one-byte column stands in for X.
        sampler.under_sampler_.fit_resample(np.zeros((labels.shape[0], 1), np.uint8), labels)
        keep = sampler.under_sampler_.sample_indices_
        X = X[keep]
        y = da.from_array(labels[keep], chunks=(X.chunks[0],))

    sampler.sampling_strategy_ = {
        "over": dict(sampler.smote_.sampling_strategy_) if sampler.smote_ else {},
        "under": (
            dict(sampler.under_sampler_.sampling_strategy_) if sampler.under_sampler_ else {}
        ),
    }
    return X, y


register_dask_implementation(SMOTEUnderSampler, smote_under_dask)
