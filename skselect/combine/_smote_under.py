"""SMOTE of the minority class followed by random under-sampling of the majority class."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers
import os
from collections import Counter
from collections.abc import Mapping

import numpy as np
from imblearn.base import BaseSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import validate_data

from skselect.over_sampling import SMOTE
from skselect.over_sampling._driver import fit_resample_io
from skselect.over_sampling._interchange import check_labels
from skselect.over_sampling._provenance import _ProvenanceMixin

_STRATEGY_CONSTRAINTS = [
    Interval(numbers.Real, 0, 1, closed="right"),
    StrOptions({"auto", "minority", "not minority", "not majority", "all", "majority"}),
    Mapping,
    callable,
    None,
]


def _synthetic_count(n_minority, smote_percent, X):
    """``n_minority * smote_percent / 100`` synthetic samples, or a ValueError naming
    ``smote_percent`` when they could not be held in this machine's memory."""
    wanted = n_minority * smote_percent / 100
    bytes_per_row = max(X.shape[1], 1) * getattr(X.dtype, "itemsize", 8)
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not POSIX: only the float limit below
        memory = float("inf")
    if not math.isfinite(wanted) or wanted * bytes_per_row > memory:
        raise ValueError(
            f"smote_percent={smote_percent!r} asks for {wanted:.3g} synthetic samples of the "
            f"minority class ({n_minority} samples), more than this machine's memory can "
            "hold; use a smaller smote_percent (300 triples the class)."
        )
    return int(wanted)


class _InMemoryRows:
    """The under-sampling step on in-memory data (the Dask one: _smote_under_dask.py)."""

    @staticmethod
    def under_sample(sampler, X, y):
        return sampler.fit_resample(X, y)


class SMOTEUnderSampler(_ProvenanceMixin, BaseSampler):
    """SMOTE the minority class, then randomly under-sample the majority class.

    This is the recipe of the SMOTE paper [1]_: the minority class is over-sampled with
    synthetic samples by ``smote_percent`` percent, and the majority class is randomly
    reduced until the (over-sampled) minority class is ``under_percent`` percent of it.
    Sweeping ``under_percent`` over the paper's levels (10, 15, 25, ..., 2000) at a fixed
    ``smote_percent`` traces one ROC curve of a classifier trained on the resampled data;
    ``smote_percent=0`` gives the paper's plain under-sampling baseline. Alternatively,
    ``over_strategy`` and ``under_strategy`` take imbalanced-learn ``sampling_strategy``
    values for the two steps.

    Read more in the :ref:`User Guide <over_sampling>`.

    Parameters
    ----------
    smote_percent : float, default=100.0
        Amount of SMOTE, the paper's N: ``floor(n_minority * smote_percent / 100)`` synthetic
        minority samples are added (100 doubles the minority class, 0 adds none). Ignored when
        ``over_strategy`` is given.

    under_percent : float, default=100.0
        Under-sampling level: the majority class is randomly reduced to
        ``floor(n_minority_after_smote * 100 / under_percent)`` samples, so that the minority
        class is ``under_percent`` percent of it (100 balances the classes, 200 leaves twice
        as many minority as majority samples). A majority class already that small is left
        whole. Ignored when ``under_strategy`` is given.

    over_strategy : float, str, dict or callable, default=None
        If given, the ``sampling_strategy`` of the SMOTE step, with imbalanced-learn's
        meaning for over-samplers.

    under_strategy : float, str, dict or callable, default=None
        If given, the ``sampling_strategy`` of the random under-sampling step, with
        imbalanced-learn's meaning for under-samplers.

    k_neighbors : int or object, default=5
        Nearest neighbours of the SMOTE step, see :class:`~skselect.over_sampling.SMOTE`.

    random_state : int, RandomState instance or None, default=None
        Passed to both steps, as when the two samplers are chained in an
        :class:`imblearn.pipeline.Pipeline` with the same ``random_state``.

    n_jobs : int, default=None
        Number of parallel jobs of the SMOTE step's neighbour search; never changes the
        output.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{"over": ..., "under": ...}``: the number of samples each step added or kept per
        class (empty for a step that did nothing).

    smote_ : :class:`~skselect.over_sampling.SMOTE` or None
        The fitted SMOTE step, None if it did nothing.

    under_sampler_ : :class:`~imblearn.under_sampling.RandomUnderSampler` or None
        The fitted under-sampling step, None if it did nothing.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``.

    sample_indices_ : ndarray of shape (n_kept,)
        Indices into the input of the original rows kept in the output, in output order
        (imbalanced-learn's convention for under-samplers): ``X_res[is_original] ==
        X[sample_indices_]``.

    synthetic_indices_ : ndarray of shape (n_synthetic,)
        Positions in the output of the synthetic rows that were kept.

    base_indices_, neighbor_indices_, gaps_ : ndarray of shape (n_synthetic,)
        For each synthetic row of the output, the indices into the input of its base sample
        and neighbour, and its interpolation gap, as in
        :class:`~skselect.over_sampling.SMOTE`.

    See Also
    --------
    skselect.over_sampling.SMOTE : The over-sampling step alone.
    imblearn.under_sampling.RandomUnderSampler : The under-sampling step alone.

    Notes
    -----
    The minority class is the least frequent class and the majority class the most
    frequent one (ties go to the smallest label, as in imbalanced-learn); with the percent
    parameters, other classes of a multiclass problem are left untouched.

    Inputs and outputs are as for :class:`~skselect.over_sampling.SMOTE` (NumPy, sparse,
    pandas including nullable dtypes, polars; the output has the input's kind), and
    :meth:`resample_array` carries row-aligned arrays through the resampling.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: synthetic
       minority over-sampling technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002, section 5.

    Examples
    --------
    >>> from collections import Counter
    >>> from skselect.combine import SMOTEUnderSampler
    >>> from skselect.datasets import load_pima
    >>> X, y = load_pima(return_X_y=True)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 500), (1, 268)]
    >>> sampler = SMOTEUnderSampler(smote_percent=100, under_percent=200, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 268), (1, 536)]
    """

    _sampling_type = "bypass"
    # The two steps carry the strategies; BaseSampler's own attribute is only a placeholder.
    sampling_strategy = "auto"

    _parameter_constraints: dict = {
        "smote_percent": [Interval(numbers.Real, 0, None, closed="left")],
        "under_percent": [Interval(numbers.Real, 0, None, closed="neither")],
        "over_strategy": _STRATEGY_CONSTRAINTS,
        "under_strategy": _STRATEGY_CONSTRAINTS,
        "k_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        smote_percent=100.0,
        under_percent=100.0,
        over_strategy=None,
        under_strategy=None,
        k_neighbors=5,
        random_state=None,
        n_jobs=None,
    ):
        self.smote_percent = smote_percent
        self.under_percent = under_percent
        self.over_strategy = over_strategy
        self.under_strategy = under_strategy
        self.k_neighbors = k_neighbors
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit_resample(self, X, y, **params):
        """Resample the dataset.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix, dask array, dask DataFrame} of shape \
(n_samples, n_features)
            Matrix containing the data which have to be sampled: a NumPy array, a SciPy
            sparse matrix, a pandas DataFrame (nullable dtypes included), a polars
            DataFrame, or a Dask array or DataFrame (resampled lazily).

        y : array-like, dask array or dask Series of shape (n_samples,)
            Corresponding label for each sample in X.

        **params : dict
            Extra parameters to use by the sampler.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix, dask array, dask DataFrame} \
of shape (n_samples_new, n_features)
            The resampled data, of the same kind as ``X``. With Dask input: the original
            partitions followed by the synthetic rows, identical to the in-memory result for
            the same ``random_state``, and so are the fitted attributes (the provenance and
            :meth:`resample_array` included).

        y_resampled : array-like of shape (n_samples_new,)
            The corresponding labels, of the same kind as ``y``.

        Examples
        --------
        >>> from collections import Counter
        >>> from sklearn.datasets import make_classification
        >>> from skselect.combine import SMOTEUnderSampler
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> X_res, y_res = SMOTEUnderSampler(random_state=0).fit_resample(X, y)
        >>> sorted((int(label), count) for label, count in Counter(y_res).items())
        [(0, 18), (1, 18)]
        """
        return fit_resample_io(self, X, y, params, lambda X, y: self._resample(X, y, params))

    def _resample(self, X, y, params):
        check_labels(y)
        return super().fit_resample(X, y, **params)

    def _fit_resample(self, X, y):
        return self._smote_then_under(X, y, Counter(y), _InMemoryRows)

    def _fit_resample_lazy(self, X, y, meta, counts, rows):
        """Dask input (``combine/_smote_under_dask.py``): the in-memory steps, with the
        container's ``rows`` for the under-sampling; every fitted attribute is set here."""
        self._validate_params()
        validate_data(self, X=meta, reset=True, skip_check_array=True)
        return self._smote_then_under(X, y, counts, rows)

    def _smote_then_under(self, X, y, counts, rows):
        """The two steps on any container; ``counts`` is a Counter of ``y``, ``rows`` has
        ``under_sample(sampler, X, y)`` returning the kept rows of ``X`` and ``y``."""
        n_samples = X.shape[0]
        # first in sorted label order among ties, as imbalanced-learn picks them
        minority = min(sorted(counts), key=counts.get)
        majority = max(sorted(counts), key=counts.get)

        over_strategy = self.over_strategy
        if over_strategy is None:
            n_new = _synthetic_count(counts[minority], self.smote_percent, X)
            over_strategy = {minority: counts[minority] + n_new} if n_new > 0 else None
        self.smote_ = None
        if over_strategy is not None:
            self.smote_ = SMOTE(
                sampling_strategy=over_strategy,
                k_neighbors=self.k_neighbors,
                random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
            X, y = self.smote_.fit_resample(X, y)
            # SMOTE adds exactly sampling_strategy_[label] rows to each class
            counts = Counter(counts)
            for label, n_new in self.smote_.sampling_strategy_.items():
                counts[label] += n_new

        under_strategy = self.under_strategy
        if under_strategy is None:
            target = max(1, int(counts[minority] * 100 / self.under_percent))
            under_strategy = {majority: target} if target < counts[majority] else None
        self.under_sampler_ = None
        if under_strategy is not None:
            self.under_sampler_ = RandomUnderSampler(
                sampling_strategy=under_strategy, random_state=self.random_state
            )
            X, y = rows.under_sample(self.under_sampler_, X, y)

        self._compose_provenance(n_samples)
        self.sampling_strategy_ = {
            "over": dict(self.smote_.sampling_strategy_) if self.smote_ else {},
            "under": dict(self.under_sampler_.sampling_strategy_) if self.under_sampler_ else {},
        }
        return X, y

    def _compose_provenance(self, n_samples):
        """Provenance of the output from the SMOTE step's and the under-sampler's."""
        if self.smote_ is not None:
            base, neighbour, gaps = (
                self.smote_.base_indices_,
                self.smote_.neighbor_indices_,
                self.smote_.gaps_,
            )
        else:
            base = neighbour = np.empty(0, dtype=np.intp)
            gaps = np.empty(0)
        n_smoted = n_samples + base.size
        if self.under_sampler_ is not None:
            kept = self.under_sampler_.sample_indices_
        else:
            kept = np.arange(n_smoted, dtype=np.intp)
        is_synthetic = kept >= n_samples
        synthetic = kept[is_synthetic] - n_samples
        self.base_indices_ = base[synthetic]
        self.neighbor_indices_ = neighbour[synthetic]
        self.gaps_ = gaps[synthetic]
        self._sample_indices = kept[~is_synthetic].astype(np.intp, copy=False)
        self._synthetic_indices = np.flatnonzero(is_synthetic)
        self._n_samples_seen = n_samples

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
