"""Imbalanced regression: SMOTER, SMOGN and random re-sampling by relevance.

The targets are split by their relevance (:func:`relevance`) into rare cases
(``phi(y) >= relevance_threshold``) and normal ones; the consecutive runs of rare and normal
cases along the sorted target form the bins. Each bin is brought to the size the
``sampling_strategy`` asks for: bins that grow are over-sampled (by interpolation for SMOTER
and SMOGN, by copies for :class:`RelevanceRandomOverSampler`), bins that shrink lose rows
drawn at random without replacement.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from imblearn.base import BaseSampler
from imblearn.utils._validation import ArraysTransformer
from scipy import sparse
from sklearn.base import _fit_context
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import _safe_indexing, check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from skselect.over_sampling._driver import _GroupDriver, fit_resample_io
from skselect.over_sampling._interchange import to_supported
from skselect.over_sampling._provenance import _ProvenanceMixin
from skselect.over_sampling._relevance import (
    _EXTREMES,
    _as_target,
    _phi,
    _resolve_control_points,
)
from skselect.over_sampling._smote import (
    _draw_samples,
    _generate_into,
    _overflow_safe_scale,
)
from skselect.utils._parallel import _kernel_n_threads

_STRATEGY_TEXT = (
    "'balance', 'extreme' or a dict {bin index: ratio} of non-negative ratios (bins numbered "
    "from 0 in increasing target order)"
)


def _std(values):
    """Standard deviation of every column (of a 1-D array: of it) without overflow."""
    values = np.asarray(values, dtype=np.float64)
    matrix = values.reshape(values.shape[0], -1)
    scale = _overflow_safe_scale(matrix)
    std = (matrix * scale).std(axis=0) / scale
    return std if values.ndim == 2 else std[0]


def _bins(y, rare):
    """Bin of every sample: consecutive runs of rare / normal cases along the sorted ``y``."""
    order = np.argsort(y, kind="stable")
    rare_sorted = rare[order]
    starts = np.r_[0, np.flatnonzero(rare_sorted[1:] != rare_sorted[:-1]) + 1]
    sizes = np.diff(np.r_[starts, y.size])
    bin_of = np.empty(y.size, dtype=np.intp)
    bin_of[order] = np.repeat(np.arange(starts.size), sizes)
    return bin_of, rare_sorted[starts]


class _RelevanceSampler(_GroupDriver, _ProvenanceMixin, BaseSampler):
    """Shared driver of the regression samplers: relevance, bins, strategy, containers."""

    _sampling_type = "over-sampling"
    # "grow": no bin shrinks; "shrink": no bin grows; "both": the strategy as given.
    _direction = "both"
    # whether synthetic targets are interpolated (integer targets then come back as float)
    _interpolates_target = True

    _parameter_constraints: dict = {
        "sampling_strategy": [StrOptions({"balance", "extreme"}), dict],
        "relevance": [StrOptions(set(_EXTREMES)), "array-like"],
        "relevance_threshold": [Interval(numbers.Real, 0, 1, closed="right")],
        "random_state": ["random_state"],
    }

    # -- input ---------------------------------------------------------------------------

    def _check_X_y(self, X, y):
        X = validate_data(
            self,
            X=X,
            reset=True,
            accept_sparse=["csr", "csc"],
            dtype=None,
        )
        return X, self._check_target(y, X.shape[0])

    def _check_target(self, y, n_samples):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None: "
                "regression re-sampling needs the target of every row of X (an "
                "array-like of shape (n_samples,))."
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                f"y must be one-dimensional (one numeric target per sample); got shape "
                f"{y.shape}. Multi-output targets are not supported."
            )
        values = _as_target(y)
        if values.shape[0] != n_samples:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {n_samples} rows and "
                f"y has {values.shape[0]} values."
            )
        # keep the caller's numeric dtype (float32 stays float32; SMOTER and SMOGN turn
        # integer targets into float64 before this point)
        return y if y.dtype.kind in "biuf" else values

    # -- relevance, bins and strategy ------------------------------------------------------

    def _prepare(self, y, require_rare):
        """Control points, relevance, bins and target counts; sets the fitted attributes."""
        y64 = y.astype(np.float64, copy=False)
        self.control_points_ = _resolve_control_points(y64, self.relevance, 1.5, "relevance")
        self.relevance_ = _phi(y64, self.control_points_)
        rare = self.relevance_ >= self.relevance_threshold
        if require_rare and not rare.any():
            raise ValueError(
                "No target value of y has relevance >= "
                f"relevance_threshold={self.relevance_threshold} "
                f"(the largest relevance is {self.relevance_.max():.3g}), so there is no rare "
                "case to over-sample"
                + (
                    ": y is constant."
                    if np.ptp(y64) == 0
                    else ". Lower relevance_threshold or give relevance control points "
                    "that mark the values that matter."
                )
            )
        if require_rare and rare.all():
            raise ValueError(
                f"Every sample has relevance >= relevance_threshold={self.relevance_threshold}:"
                " all are rare, so there is no class of normal cases to balance them against. "
                "Raise relevance_threshold or give relevance control points that mark only "
                "the values that matter."
            )
        bin_of, bin_rare = _bins(y64, rare)
        counts = np.bincount(bin_of, minlength=bin_rare.size)
        self.bin_indices_ = bin_of
        self.rare_bins_ = bin_rare
        self.bin_ranges_ = np.column_stack(
            [
                np.array([y64[bin_of == b].min() for b in range(bin_rare.size)]),
                np.array([y64[bin_of == b].max() for b in range(bin_rare.size)]),
            ]
        )
        targets = self._target_counts(counts)
        self.sampling_strategy_ = {b: int(t) for b, t in enumerate(targets)}
        return bin_of, counts, targets

    def _target_counts(self, counts):
        n_bins, n = counts.size, counts.sum()
        strategy = self.sampling_strategy
        if isinstance(strategy, dict):
            ratios = np.ones(n_bins)
            for key, ratio in strategy.items():
                if not isinstance(key, numbers.Integral) or not 0 <= key < n_bins:
                    raise ValueError(
                        f"sampling_strategy={strategy!r} names bin {key!r}, but y has "
                        f"{n_bins} bins, numbered 0 to {n_bins - 1} in increasing target "
                        f"order. sampling_strategy must be {_STRATEGY_TEXT}."
                    )
                if (
                    isinstance(ratio, bool)
                    or not isinstance(ratio, numbers.Real)
                    or not np.isfinite(ratio)
                    or ratio < 0
                ):
                    raise ValueError(
                        f"sampling_strategy={strategy!r} gives bin {key} the ratio "
                        f"{ratio!r}; ratios must be finite non-negative numbers."
                    )
                if self._direction == "grow" and ratio < 1:
                    raise ValueError(
                        f"sampling_strategy={strategy!r} gives bin {key} the ratio {ratio!r}: "
                        f"{type(self).__name__} only adds samples, so ratios must be >= 1."
                    )
                if self._direction == "shrink" and ratio > 1:
                    raise ValueError(
                        f"sampling_strategy={strategy!r} gives bin {key} the ratio {ratio!r}: "
                        f"{type(self).__name__} only removes samples, so ratios must be <= 1."
                    )
                ratios[key] = ratio
            return np.floor(ratios * counts + 0.5).astype(np.int64)
        average = n / n_bins
        if strategy == "balance":
            wanted = np.full(n_bins, average)
        else:  # "extreme": sizes inversely proportional to the bins' (Branco et al., 2017)
            weights = average**2 / counts
            wanted = weights * n / weights.sum()
        if self._direction == "grow":
            wanted = wanted * np.max(counts / wanted)
        elif self._direction == "shrink":
            wanted = wanted * np.min(counts / wanted)
        targets = np.floor(wanted + 0.5).astype(np.int64)
        if self._direction == "grow":
            targets = np.maximum(targets, counts)
        elif self._direction == "shrink":
            targets = np.minimum(targets, counts)
        return targets

    # -- public entry points --------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **params):
        """Check the input and compute the relevance, the bins and their target sizes.

        You should use ``fit_resample`` in all cases.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Data array.

        y : array-like of shape (n_samples,)
            Target values.

        **params : dict
            Unused; accepted for compatibility.

        Returns
        -------
        self : object
            The fitted sampler.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.over_sampling import SMOGN
        >>> y = np.r_[np.arange(20.0), 100.0, 120.0]
        >>> X = y.reshape(-1, 1)
        >>> SMOGN(relevance="high").fit(X, y).rare_bins_
        array([False,  True])
        """
        X, y, _ = to_supported(X, y)
        X, y = self._check_X_y(X, y)
        self._prepare(y, require_rare=False)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, **params):
        """Resample the dataset.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Matrix containing the data which have to be sampled: a NumPy array, a list, a
            pandas DataFrame or a polars DataFrame.

        y : array-like of shape (n_samples,)
            The numeric target of each sample in X.

        **params : dict
            Unused; accepted for compatibility with imbalanced-learn's pipelines.

        Returns
        -------
        X_resampled : {array-like, dataframe} of shape (n_samples_new, n_features)
            The resampled data, of the same kind as ``X``: the kept original rows in input
            order, then the synthetic rows bin by bin.

        y_resampled : array-like of shape (n_samples_new,)
            The corresponding targets, of the same kind as ``y``.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.over_sampling import SMOGN
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(100, 2))
        >>> y = np.exp(2 * X[:, 0])
        >>> X_res, y_res = SMOGN(random_state=0).fit_resample(X, y)
        >>> X_res.shape[1], y_res.shape == (X_res.shape[0],)
        (2, True)
        """
        return fit_resample_io(self, X, y, params, self._resample)

    def _resample(self, X, y):
        """In-memory NumPy, SciPy or pandas input, restored to its kind on the way out."""
        if (
            self._interpolates_target
            and hasattr(y, "dtype")
            and getattr(y.dtype, "kind", "f") in "biu"
        ):
            # interpolated targets are not integers: the output target is float64
            y = y.astype(np.float64)
        arrays = ArraysTransformer(X, y)
        X, y = self._check_X_y(X, y)
        X_resampled, y_resampled = self._fit_resample(X, y)
        return arrays.transform(X_resampled, y_resampled)

    def _fit_resample(self, X, y):
        bin_of, counts, targets = self._prepare(y, require_rare=True)
        state = self._driver_state(rng=check_random_state(self.random_state), y=y)
        self._before_bins(X, y, counts, targets, state)
        # shrinking bins keep a random subset; growing bins go through the driver
        kept, groups = [], []
        for b in range(counts.size):
            members = np.flatnonzero(bin_of == b)
            if targets[b] < counts[b]:
                members = np.sort(state.rng.choice(members, size=targets[b], replace=False))
            kept.append(members)
            if targets[b] > counts[b]:
                groups.append((b, members, int(targets[b] - counts[b])))
        kept = np.sort(np.concatenate(kept))
        blocks, provenance = self._over_sample_groups(X, groups, state)

        X_kept = _safe_indexing(X, kept)
        if blocks:
            new_X = [block[0] for block in blocks]
            if sparse.issparse(X):
                X_resampled = sparse.vstack([X_kept, *new_X], format=X.format)
            else:
                X_resampled = np.concatenate([X_kept, *new_X])
            y_resampled = np.concatenate([y[kept], *[block[1] for block in blocks]])
            y_resampled = y_resampled.astype(y.dtype, copy=False)
        else:
            X_resampled, y_resampled = X_kept, y[kept]

        def join(arrays, dtype):
            return np.concatenate([np.empty(0, dtype=dtype), *arrays]).astype(dtype)

        bases = join([members[rows] for members, _, rows, _, _ in provenance], np.intp)
        neighbours = join(
            [members[table[rows, cols]] for members, table, rows, cols, _ in provenance], np.intp
        )
        gaps = join([steps for *_, steps in provenance], np.float64)
        noise = join([block[2] for block in blocks], bool)
        # a noisy row (SMOGN) or a copy comes from its base alone
        neighbours[noise] = bases[noise]
        gaps[noise] = 0.0
        self.base_indices_, self.neighbor_indices_, self.gaps_ = bases, neighbours, gaps
        self._record_noise(noise)
        self._n_samples_seen = y.shape[0]
        self._sample_indices = kept
        self._synthetic_indices = np.arange(kept.size, kept.size + bases.size, dtype=np.intp)
        return X_resampled, y_resampled

    def _before_bins(self, X, y, counts, targets, state):
        """Per-call checks and preparation before any bin is re-sampled."""

    def _record_noise(self, noise):
        """SMOGN records which synthetic rows are Gaussian noise."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class RelevanceRandomOverSampler(_RelevanceSampler):
    """Random over-sampling of the rare target values of a regression problem.

    The baseline of Torgo et al. [1]_: the bins of rare and normal target values (see
    :class:`SMOTER`) are brought to the relative sizes of ``sampling_strategy`` by adding
    copies of rows drawn at random, with replacement, from each growing bin. No bin shrinks:
    with ``"balance"`` every bin grows to the size of the largest one.

    Read more in the :ref:`User Guide <regression>`.

    Parameters
    ----------
    sampling_strategy : {"balance", "extreme"} or dict, default="balance"
        Relative bin sizes: ``"balance"`` equal sizes, ``"extreme"`` sizes inversely
        proportional to the original ones (rare bins end larger than normal ones), or a dict
        ``{bin index: ratio}`` multiplying the size of the bins it names (ratios >= 1; bins
        numbered from 0 in increasing target order).

    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of ``y`` that are relevant
        (see :func:`relevance`).

    relevance_threshold : float, default=0.5
        Samples with relevance at least this are rare.

    random_state : int, RandomState instance or None, default=None
        Controls the draws.

    Attributes
    ----------
    control_points_ : ndarray of shape (n_points, 3)
        Control points of the relevance function.

    relevance_ : ndarray of shape (n_samples,)
        Relevance of every target value of the last ``fit_resample``.

    bin_indices_ : ndarray of shape (n_samples,)
        Bin of every input sample.

    rare_bins_ : ndarray of shape (n_bins,), dtype=bool
        Whether each bin holds rare cases.

    bin_ranges_ : ndarray of shape (n_bins, 2)
        Smallest and largest target of each bin.

    sampling_strategy_ : dict
        Number of samples of each bin after re-sampling.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``. Defined only when ``X`` has feature
        names that are all strings.

    sample_indices_, synthetic_indices_, base_indices_, neighbor_indices_, gaps_ : ndarray
        Provenance of the output rows, as in :class:`SMOTE`; a copy's neighbour is its base
        and its gap is 0.

    See Also
    --------
    RelevanceRandomUnderSampler : Random under-sampling of the normal targets.
    SMOTER : Over-sample rare targets by interpolation.

    References
    ----------
    .. [1] L. Torgo, R. P. Ribeiro, B. Pfahringer, P. Branco, "SMOTE for regression",
       Progress in Artificial Intelligence (EPIA 2013), LNCS 8154, 378-389, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.over_sampling import RelevanceRandomOverSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = np.exp(X[:, 0] + 0.5 * rng.normal(size=200))
    >>> sampler = RelevanceRandomOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape[0] > X.shape[0]
    True
    """

    _direction = "grow"
    _interpolates_target = False

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="both",
        relevance_threshold=0.5,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.random_state = random_state

    # -- the hooks of the over-sampling driver (over_sampling/_driver.py): a copy is a
    # sample moving towards itself

    def _group_search(self, X, members, key, state):
        return X, members

    def _group_neighbours(self, search, key, state):
        return np.arange(len(search), dtype=np.intp)[:, None], None

    def _group_draws(self, key, n_members, n_neighbors, n_new, state):
        rows = state.rng.randint(0, n_members, size=n_new).astype(np.intp)
        return rows, np.zeros(n_new, dtype=np.intp), np.zeros(n_new)

    def _group_generate(self, X_group, members, table, distances, draws, key, position, state):
        bases = members[draws[0]]
        return _safe_indexing(X_group, bases), state.y[bases], np.ones(bases.size, dtype=bool)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        return tags


class RelevanceRandomUnderSampler(_RelevanceSampler):
    """Random under-sampling of the normal target values of a regression problem.

    The baseline of Torgo et al. [1]_: the bins of rare and normal target values (see
    :class:`SMOTER`) are brought to the relative sizes of ``sampling_strategy`` by keeping a
    random subset, drawn without replacement, of each shrinking bin. No bin grows: with
    ``"balance"`` every bin shrinks to the size of the smallest one.

    Read more in the :ref:`User Guide <regression>`.

    Parameters
    ----------
    sampling_strategy : {"balance", "extreme"} or dict, default="balance"
        Relative bin sizes: ``"balance"`` equal sizes, ``"extreme"`` sizes inversely
        proportional to the original ones, or a dict ``{bin index: ratio}`` multiplying the
        size of the bins it names (ratios <= 1; bins numbered from 0 in increasing target
        order).

    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of ``y`` that are relevant
        (see :func:`relevance`).

    relevance_threshold : float, default=0.5
        Samples with relevance at least this are rare.

    random_state : int, RandomState instance or None, default=None
        Controls the draws.

    Attributes
    ----------
    control_points_ : ndarray of shape (n_points, 3)
        Control points of the relevance function.

    relevance_ : ndarray of shape (n_samples,)
        Relevance of every target value of the last ``fit_resample``.

    bin_indices_ : ndarray of shape (n_samples,)
        Bin of every input sample.

    rare_bins_ : ndarray of shape (n_bins,), dtype=bool
        Whether each bin holds rare cases.

    bin_ranges_ : ndarray of shape (n_bins, 2)
        Smallest and largest target of each bin.

    sampling_strategy_ : dict
        Number of samples of each bin after re-sampling.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``. Defined only when ``X`` has feature
        names that are all strings.

    sample_indices_ : ndarray of shape (n_samples_new,)
        Indices into the input of the kept rows, in output order.

    See Also
    --------
    RelevanceRandomOverSampler : Random over-sampling of the rare targets.
    SMOGN : Over-sample rare targets and under-sample normal ones.

    References
    ----------
    .. [1] L. Torgo, R. P. Ribeiro, B. Pfahringer, P. Branco, "SMOTE for regression",
       Progress in Artificial Intelligence (EPIA 2013), LNCS 8154, 378-389, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.over_sampling import RelevanceRandomUnderSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = np.exp(X[:, 0] + 0.5 * rng.normal(size=200))
    >>> sampler = RelevanceRandomUnderSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape[0] < X.shape[0]
    True
    """

    _sampling_type = "under-sampling"
    _direction = "shrink"
    _interpolates_target = False

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="both",
        relevance_threshold=0.5,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        return tags


def _categorical_indices(categorical_features, X):
    """Validated column indices of ``categorical_features`` (indices, names or a mask)."""
    n_features = X.shape[1]
    if categorical_features is None:
        return np.empty(0, dtype=np.intp)
    features = np.asarray(categorical_features)
    if features.dtype == bool:
        if features.shape != (n_features,):
            raise ValueError(
                "A boolean mask categorical_features must have one entry per feature: got "
                f"{features.size} entries for {n_features} features."
            )
        return np.flatnonzero(features)
    if features.dtype.kind in "OUS":
        names = list(getattr(X, "columns", []))
        missing = [name for name in features.ravel().tolist() if name not in names]
        if not names or missing:
            raise ValueError(
                f"categorical_features names {missing or features.tolist()} that are not "
                "columns of X (names need a pandas or polars DataFrame X)."
            )
        return np.array([names.index(name) for name in features.ravel()], dtype=np.intp)
    if features.size and features.dtype.kind not in "iu":
        raise ValueError(
            "categorical_features must be column indices, column names or a boolean mask; "
            f"got {features.tolist()!r}."
        )
    features = features.astype(np.intp).ravel()
    bad = features[(features < -n_features) | (features >= n_features)]
    if bad.size:
        raise ValueError(
            f"categorical_features has indices {bad.tolist()} out of range for X with "
            f"{n_features} features."
        )
    features = features % n_features
    if np.unique(features).size != features.size:
        raise ValueError("categorical_features names a column more than once.")
    return np.sort(features)


class SMOTER(_RelevanceSampler):
    """SMOTE for regression: over-sample rare targets, under-sample normal ones.

    SMOTER [1]_ splits the samples by the relevance of their target (:func:`relevance`)
    into rare cases (relevance at least ``relevance_threshold``) and normal cases; the
    consecutive runs of rare and of normal cases along the sorted target form the bins.
    Bins that ``sampling_strategy`` makes larger are over-sampled: each synthetic sample lies
    on the segment between a seed of the bin and one of its ``k_neighbors`` nearest
    neighbours in the same bin, ``x = x_seed + u * (x_nn - x_seed)`` with ``u`` uniform in
    ``[0, 1)``, and its target is the mean of the two targets weighted by the distances of
    the new sample to them, ``(1 - u) * y_seed + u * y_nn``. The seeds of a bin are used in
    turn (each ``n_new // n_bin`` times, a random subset once more). Bins that shrink keep a
    random subset of their samples. Neighbours are searched with the papers' HEOM distance:
    each continuous feature divided by its range in the bin, each differing nominal feature
    counting 1.

    Read more in the :ref:`User Guide <regression>`.

    Parameters
    ----------
    sampling_strategy : {"balance", "extreme"} or dict, default="balance"
        Target bin sizes, keeping the number of samples about the same: ``"balance"`` gives
        every bin ``n_samples / n_bins`` samples, ``"extreme"`` sizes inversely
        proportional to the original ones (rare bins end larger than normal ones) [2]_, and
        a dict ``{bin index: ratio}`` multiplies the size of the bins it names (bins
        numbered from 0 in increasing target order; ratios above 1 over-sample, below 1
        under-sample).

    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of ``y`` that are relevant
        (see :func:`relevance`).

    relevance_threshold : float, default=0.5
        Samples with relevance at least this are rare.

    k_neighbors : int, default=5
        Number of nearest neighbours, within the bin, a synthetic sample may move towards.

    categorical_features : array-like of int, str or bool, default=None
        Nominal columns (indices, DataFrame column names, or a boolean mask). A differing
        nominal feature adds 1 to the squared distance of the neighbour search, and a
        synthetic sample takes the category of whichever of its seed and neighbour it is
        nearer to.

    n_jobs : int, default=None
        Number of parallel jobs of the neighbour search; never changes the output.

    random_state : int, RandomState instance or None, default=None
        Controls the draws. One generator serves the whole call.

    Attributes
    ----------
    control_points_ : ndarray of shape (n_points, 3)
        Control points of the relevance function.

    relevance_ : ndarray of shape (n_samples,)
        Relevance of every target value of the last ``fit_resample``.

    bin_indices_ : ndarray of shape (n_samples,)
        Bin of every input sample.

    rare_bins_ : ndarray of shape (n_bins,), dtype=bool
        Whether each bin holds rare cases.

    bin_ranges_ : ndarray of shape (n_bins, 2)
        Smallest and largest target of each bin.

    sampling_strategy_ : dict
        Number of samples of each bin after re-sampling.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``. Defined only when ``X`` has feature
        names that are all strings.

    sample_indices_ : ndarray of shape (n_kept,)
        Indices into the input of the kept original rows, in output order (first).

    synthetic_indices_ : ndarray of shape (n_synthetic,)
        Positions in the output of the synthetic rows (the last ``n_synthetic`` rows).

    base_indices_ : ndarray of shape (n_synthetic,)
        For each synthetic row, the index into the input of its seed.

    neighbor_indices_ : ndarray of shape (n_synthetic,)
        For each synthetic row, the index into the input of the neighbour it moves towards.

    gaps_ : ndarray of shape (n_synthetic,)
        For each synthetic row, the interpolation gap ``u``.

    See Also
    --------
    SMOGN : SMOTER with Gaussian noise for unsafe neighbours.
    RelevanceRandomOverSampler : Copies instead of interpolation.
    relevance : The relevance function.

    Notes
    -----
    Only dense input is accepted. Integer targets come back as float64 (the synthetic
    targets are interpolated); float32 data and targets stay float32. Interpolated targets
    lie between the seed's and the neighbour's, so they never leave the bin's range.

    References
    ----------
    .. [1] L. Torgo, R. P. Ribeiro, B. Pfahringer, P. Branco, "SMOTE for regression",
       Progress in Artificial Intelligence (EPIA 2013), LNCS 8154, 378-389, 2013.
    .. [2] P. Branco, L. Torgo, R. P. Ribeiro, "SMOGN: a pre-processing approach for
       imbalanced regression", Proceedings of Machine Learning Research 74 (LIDTA 2017),
       36-50, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.over_sampling import SMOTER
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> y = np.exp(X[:, 0] + 0.5 * rng.normal(size=300))
    >>> smoter = SMOTER(relevance="high", random_state=0)
    >>> X_res, y_res = smoter.fit_resample(X, y)
    >>> counts = np.bincount(smoter.bin_indices_)
    >>> counts.tolist(), sorted(smoter.sampling_strategy_.values())
    ([248, 52], [150, 150])
    """

    _parameter_constraints: dict = {
        **_RelevanceSampler._parameter_constraints,
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "categorical_features": ["array-like", None],
        # joblib refuses more than a million workers with a message that does not name n_jobs
        "n_jobs": [
            Interval(numbers.Integral, -1_000_000, -1, closed="both"),
            Interval(numbers.Integral, 1, 1_000_000, closed="both"),
            None,
        ],
    }

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="both",
        relevance_threshold=0.5,
        k_neighbors=5,
        categorical_features=None,
        n_jobs=None,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.k_neighbors = k_neighbors
        self.categorical_features = categorical_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_X_y(self, X, y):
        if self.categorical_features is None:
            X = validate_data(self, X=X, reset=True, accept_sparse=False, dtype="numeric")
            self.categorical_features_ = np.empty(0, dtype=np.intp)
        else:
            categorical = _categorical_indices(self.categorical_features, X)
            X = validate_data(
                self, X=X, reset=True, accept_sparse=False, dtype=None, ensure_all_finite=False
            )
            if categorical.size == X.shape[1]:
                raise ValueError(
                    "categorical_features names every feature of X; SMOTER interpolates "
                    "continuous features and needs at least one."
                )
            self.categorical_features_ = categorical
            continuous = np.setdiff1d(np.arange(X.shape[1]), categorical)
            check_array(X[:, continuous], input_name="X")
        return X, self._check_target(y, X.shape[0])

    def _before_bins(self, X, y, counts, targets, state):
        # every growing bin is checked before any draw
        for bin_index in np.flatnonzero(targets > counts):
            self._check_bin_size(bin_index, counts[bin_index])
        state.continuous = np.setdiff1d(np.arange(X.shape[1]), self.categorical_features_)
        if self.categorical_features_.size:
            state.X_continuous = X[:, state.continuous].astype(np.float64)
        else:
            state.X_continuous = X
        state.n_threads = _kernel_n_threads(X.shape[0] * X.shape[1])

    # -- the hooks of the over-sampling driver (over_sampling/_driver.py) ---------------------

    def _group_search(self, X, members, key, state):
        """The bin's rows in the papers' HEOM geometry (heterogeneous Euclidean-overlap).

        Every continuous feature is divided by its range in the bin, and a differing
        nominal feature adds 1 to the squared distance (its one-hot codes are
        ``1 / sqrt(2)``), so that no feature dominates by its units and the safe distance
        of SMOGN is comparable with its ``perturbation``.
        """
        X_bin = np.ascontiguousarray(state.X_continuous[members], dtype=np.float64)
        scale = _overflow_safe_scale(X_bin)
        X_scaled = X_bin * scale if scale != 1.0 else X_bin
        ranges = np.ptp(X_scaled, axis=0) if X_bin.shape[0] else np.ones(X_bin.shape[1])
        ranges[ranges == 0] = 1.0  # a constant feature adds nothing either way
        blocks = [X_scaled / ranges]
        for column in self.categorical_features_:
            values = X[members, column]
            _, codes = np.unique(values.astype(str), return_inverse=True)
            one_hot = np.zeros((members.size, codes.max() + 1))
            one_hot[np.arange(members.size), codes] = 1 / np.sqrt(2)
            blocks.append(one_hot)
        return X, blocks[0] if len(blocks) == 1 else np.hstack(blocks)

    def _group_neighbours(self, search, key, state):
        # an exact power of two: distances cannot overflow, the neighbours are unchanged
        scale = _overflow_safe_scale(search)
        if scale != 1.0:
            search = search * scale
        nn = NearestNeighbors(n_neighbors=self.k_neighbors + 1, n_jobs=self.n_jobs).fit(search)
        distances, neighbours = nn.kneighbors(search)
        return np.ascontiguousarray(neighbours[:, 1:], dtype=np.intp), distances[:, 1:] / scale

    def _group_draws(self, key, n_members, n_neighbors, n_new, state):
        # the papers' scheme: every seed of the bin in turn, a random neighbour each time
        return _draw_samples(state.rng, n_members, n_neighbors, n_new, "even")

    def _group_generate(self, X_group, members, table, distances, draws, key, position, state):
        X_new, y_new = self._interpolate(X_group, state, members, table, *draws)
        return X_new, y_new, np.zeros(draws[0].size, dtype=bool)

    def _check_bin_size(self, bin_index, n_bin):
        k = self.k_neighbors
        if n_bin < k + 1:
            low, high = self.bin_ranges_[bin_index]
            kind = "rare" if self.rare_bins_[bin_index] else "normal"
            advice = (
                f"Use k_neighbors <= {n_bin - 1}"
                if n_bin >= 2
                else "A bin needs 2 samples to interpolate: lower relevance_threshold"
            )
            raise ValueError(
                f"k_neighbors={k} needs at least {k + 1} samples in every bin to over-sample, "
                f"but bin {bin_index} ({kind}, targets in [{low:.6g}, {high:.6g}]) has only "
                f"{n_bin}. {advice}, or leave the bin unchanged with a dict "
                f"sampling_strategy ({{{bin_index}: 1.0, ...}})."
            )

    def _interpolate(self, X, state, members, table, rows, cols, steps):
        """Synthetic rows and targets on the segments (seed, neighbour)."""
        n_new, y = rows.size, state.y
        X_bin = np.ascontiguousarray(state.X_continuous[members])
        out = np.empty((n_new, X.shape[1]), dtype=X.dtype)
        if self.categorical_features_.size:
            continuous = np.empty((n_new, state.continuous.size), dtype=np.float64)
            _generate_into(X_bin, table, rows, cols, steps, continuous, state.n_threads)
            out[:, state.continuous] = continuous
            seeds, partners = members[rows], members[table[rows, cols]]
            nearer = np.where(steps < 0.5, seeds, partners)
            out[:, self.categorical_features_] = X[nearer][:, self.categorical_features_]
        else:
            _generate_into(X_bin, table, rows, cols, steps, out, state.n_threads)
        y_seed = y[members[rows]].astype(np.float64)
        y_nn = y[members[table[rows, cols]]].astype(np.float64)
        # the distance-weighted mean: the new sample is u * d from the seed and (1 - u) * d
        # from the neighbour, so the seed's weight is 1 - u; clipped against rounding
        y_new = np.clip(
            (1 - steps) * y_seed + steps * y_nn, np.minimum(y_seed, y_nn), np.maximum(y_seed, y_nn)
        )
        return out, y_new.astype(y.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.input_tags.string = self.categorical_features is not None
        return tags


class SMOGN(SMOTER):
    """SMOTER and Gaussian noise: over-sample rare targets, under-sample normal ones.

    SMOGN [1]_ works as :class:`SMOTER`, with one change in the over-sampled bins: a seed's
    chosen neighbour is *safe* when it is closer to the seed than half the median distance of
    the seed to its ``k_neighbors`` neighbours. With a safe neighbour the synthetic sample is
    interpolated as in SMOTER; otherwise it is the seed plus Gaussian noise, of standard
    deviation ``min(perturbation, safe distance)`` times the bin's standard deviation on each
    continuous feature and on the target. Nominal features of a noisy sample are the seed's.

    Read more in the :ref:`User Guide <regression>`.

    Parameters
    ----------
    sampling_strategy : {"balance", "extreme"} or dict, default="balance"
        Target bin sizes, as in :class:`SMOTER`.

    relevance : {"both", "high", "low"} or array-like of shape (n_points, 3), default="both"
        Control points of the relevance function, or the extremes of ``y`` that are relevant
        (see :func:`relevance`).

    relevance_threshold : float, default=0.5
        Samples with relevance at least this are rare.

    k_neighbors : int, default=5
        Number of nearest neighbours, within the bin, of each seed.

    perturbation : float, default=0.02
        Standard deviation of the Gaussian noise, relative to the bin's standard deviation
        of each feature and of the target; a seed whose safe distance is smaller uses that
        instead, as in the paper.

    categorical_features : array-like of int, str or bool, default=None
        Nominal columns, as in :class:`SMOTER`.

    n_jobs : int, default=None
        Number of parallel jobs of the neighbour search; never changes the output.

    random_state : int, RandomState instance or None, default=None
        Controls the draws. One generator serves the whole call.

    Attributes
    ----------
    control_points_ : ndarray of shape (n_points, 3)
        Control points of the relevance function.

    relevance_ : ndarray of shape (n_samples,)
        Relevance of every target value of the last ``fit_resample``.

    bin_indices_ : ndarray of shape (n_samples,)
        Bin of every input sample.

    rare_bins_ : ndarray of shape (n_bins,), dtype=bool
        Whether each bin holds rare cases.

    bin_ranges_ : ndarray of shape (n_bins, 2)
        Smallest and largest target of each bin.

    sampling_strategy_ : dict
        Number of samples of each bin after re-sampling.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``. Defined only when ``X`` has feature
        names that are all strings.

    sample_indices_, synthetic_indices_, base_indices_, neighbor_indices_, gaps_ : ndarray
        Provenance of the output rows, as in :class:`SMOTER`. A noisy row's neighbour is its
        seed and its gap 0.

    noise_mask_ : ndarray of shape (n_synthetic,), dtype=bool
        Which synthetic rows are Gaussian noise around their seed.

    See Also
    --------
    SMOTER : Interpolation only.
    relevance : The relevance function.

    Notes
    -----
    The noisy values are clipped to their bin's range of each feature and of the target, so
    a synthetic rare target stays rare and no value leaves the data's range. Only dense
    input is accepted; float32 stays float32.

    References
    ----------
    .. [1] P. Branco, L. Torgo, R. P. Ribeiro, "SMOGN: a pre-processing approach for
       imbalanced regression", Proceedings of Machine Learning Research 74 (LIDTA 2017),
       36-50, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.over_sampling import SMOGN
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> y = np.exp(X[:, 0] + 0.5 * rng.normal(size=300))
    >>> smogn = SMOGN(relevance="high", random_state=0)
    >>> X_res, y_res = smogn.fit_resample(X, y)
    >>> X_res.shape
    (300, 4)
    >>> bool((y_res > smogn.bin_ranges_[0, 1]).sum() == 150)
    True
    """

    _parameter_constraints: dict = {
        **SMOTER._parameter_constraints,
        "perturbation": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="both",
        relevance_threshold=0.5,
        k_neighbors=5,
        perturbation=0.02,
        categorical_features=None,
        n_jobs=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            relevance=relevance,
            relevance_threshold=relevance_threshold,
            k_neighbors=k_neighbors,
            categorical_features=categorical_features,
            n_jobs=n_jobs,
            random_state=random_state,
        )
        self.perturbation = perturbation

    def _record_noise(self, noise):
        self.noise_mask_ = noise

    def _before_bins(self, X, y, counts, targets, state):
        if not np.isfinite(self.perturbation):
            raise ValueError(
                f"perturbation={self.perturbation!r}: the noise's standard deviation must be "
                "a finite non-negative number (the default is 0.02)."
            )
        super()._before_bins(X, y, counts, targets, state)

    def _group_generate(self, X_group, members, table, distances, draws, key, position, state):
        X, y = X_group, state.y
        rows, cols, steps = draws
        normal = state.rng.standard_normal(size=(rows.size, state.continuous.size + 1))
        safe_distance = np.median(distances, axis=1) / 2
        noisy = ~(distances[rows, cols] < safe_distance[rows])
        X_new, y_new = self._interpolate(X, state, members, table, rows, cols, steps)
        if noisy.any():
            seeds = members[rows[noisy]]
            X_bin = state.X_continuous[members].astype(np.float64)
            # the paper's noise level: the perturbation, or the seed's safe distance if smaller
            level = np.minimum(self.perturbation, safe_distance[rows[noisy]])[:, None]
            with np.errstate(over="ignore", invalid="ignore"):
                scale = level * _std(X_bin)
                noise_X = state.X_continuous[seeds].astype(np.float64) + normal[noisy, :-1] * scale
            # kept within the bin's range of every feature (finite, and plausible values)
            noise_X = np.clip(np.nan_to_num(noise_X, nan=0.0), X_bin.min(axis=0), X_bin.max(axis=0))
            y_bin = y[members].astype(np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                noise_y = y[seeds] + normal[noisy, -1] * (level[:, 0] * _std(y_bin))
            noise_y = np.clip(np.nan_to_num(noise_y, nan=0.0), y_bin.min(), y_bin.max())
            if self.categorical_features_.size:
                X_new[np.ix_(noisy, state.continuous)] = noise_X
                X_new[np.ix_(noisy, self.categorical_features_)] = X[seeds][
                    :, self.categorical_features_
                ]
            else:
                X_new[noisy] = noise_X.astype(X.dtype, copy=False)
            y_new[noisy] = noise_y.astype(y.dtype)
        return X_new, y_new, noisy
