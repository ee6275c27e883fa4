"""SMOTEUnderSampler on Dask arrays: the SMOTE step stays lazy, the under-sampling draw needs
the labels.

Random under-sampling draws which majority rows to keep with one ``choice`` over the whole
class, and imbalanced-learn returns the kept rows grouped by class in that drawn order. The
labels (one value per row, small next to ``X``) are therefore gathered to draw exactly the
in-memory indices; ``X`` itself is only indexed lazily. The sampler runs its in-memory steps
(``SMOTEUnderSampler._smote_then_under``) and sets every fitted attribute itself; this module
only counts the classes and under-samples the Dask rows.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np

from skselect.combine._smote_under import SMOTEUnderSampler
from skselect.over_sampling._smote_dask import _Input
from skselect.utils._dask import import_dask, register_dask_implementation


class _DaskRows:
    """The under-sampling step on a Dask array and its labels."""

    @staticmethod
    def under_sample(sampler, X, y):
        import dask.array as da

        labels = np.asarray(y.compute())
        # The draw needs the labels only: a one-byte column stands in for X.
        sampler.fit_resample(np.zeros((labels.shape[0], 1), np.uint8), labels)
        keep = sampler.sample_indices_
        X = X[keep]
        return X, da.from_array(labels[keep], chunks=(X.chunks[0],))


def smote_under_dask(sampler, X, y):
    """Lazy ``SMOTEUnderSampler.fit_resample`` on a Dask array."""
    import_dask()
    if hasattr(X, "columns"):
        raise TypeError(
            "SMOTEUnderSampler accepts Dask arrays; for a Dask DataFrame pass "
            "X.to_dask_array(lengths=True) and y.to_dask_array(lengths=True)."
        )
    data = _Input(X, y)
    classes, class_counts = data.class_counts()
    counts = Counter(dict(zip(classes, class_counts.tolist(), strict=True)))
    return sampler._fit_resample_lazy(data.X, data.y, data.meta(), counts, _DaskRows)


register_dask_implementation(SMOTEUnderSampler, smote_under_dask)
