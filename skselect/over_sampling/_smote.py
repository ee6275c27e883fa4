"""SMOTE and SMOTE-NC: drop-in replacements for imbalanced-learn's over-samplers.

The random numbers are drawn exactly as imbalanced-learn draws them (one fresh
``check_random_state(random_state)`` per over-sampled class, a ``randint`` over the flattened
neighbour table, then ``uniform`` steps), and the Cython kernel computes every value with the
same floating-point operations. The same ``random_state`` therefore gives the same output,
while the kernel writes the synthetic rows straight into the preallocated result instead of
materialising ``X[rows]``, the neighbour differences and their products.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers
from collections import OrderedDict

import numpy as np
from imblearn.over_sampling import SMOTE as _ImblearnSMOTE
from imblearn.over_sampling import SMOTENC as _ImblearnSMOTENC
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution, check_sampling_strategy, check_target_type
from scipy import sparse
from sklearn import config_context
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import _safe_indexing, check_array, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import validate_data

from skselect.over_sampling._driver import _GroupDriver, fit_resample_io
from skselect.over_sampling._interchange import check_labels
from skselect.over_sampling._provenance import _ProvenanceMixin
from skselect.over_sampling._smote_fast import (
    count_sparse,
    fill_sparse,
    generate_dense,
    vote_counts,
    winner_at_rank,
)
from skselect.utils._parallel import _kernel_n_threads

# scikit-learn's brute-force neighbour search materialises distance blocks of at most this
# many MiB (its default, 1 GiB, is the peak memory of a large SMOTE-NC run otherwise).
_NEIGHBOURS_WORKING_MEMORY_MIB = 64


def _overflow_safe_scale(X_class):
    """A power of two bringing the entries of ``X_class`` where distances cannot overflow.

    1.0 for every ordinary input. Multiplying by a power of two is exact, so every distance is
    scaled by the same exact factor and the neighbours are those of the unscaled data.
    """
    values = X_class.data if sparse.issparse(X_class) else X_class
    if values.size == 0 or values.dtype.kind not in "biuf":
        # object input (strings, categories): the neighbour search reports it
        return 1.0
    # a squared distance sums n_features terms of at most (2 * magnitude) ** 2, computed in
    # the data's precision
    largest = np.finfo(values.dtype if values.dtype.kind == "f" else np.float64).max
    safe = float(np.sqrt(largest / 4 / max(X_class.shape[1], 1)) / 2)
    magnitude = float(np.max(np.abs(values)))
    if magnitude <= safe:
        return 1.0
    return float(2.0 ** -math.ceil(math.log2(magnitude / safe)))


def _plain(label):
    """A class label as users wrote it: 1 rather than np.int64(1) in messages."""
    return label.item() if isinstance(label, np.generic) else label


def _draw_samples(random_state, n_class, n_neighbors, n_new, base_selection):
    """Draw base rows, neighbour slots and steps for ``n_new`` synthetic samples.

    ``"random"`` is imbalanced-learn's protocol: one ``randint`` over the flattened
    ``(n_class, n_neighbors)`` neighbour table, then one ``uniform`` per sample. ``"even"`` is
    the SMOTE paper's: every sample is a base ``n_new // n_class`` times and a random subset of
    them once more for the remainder.
    """
    rng = check_random_state(random_state)
    if base_selection == "random":
        flat = rng.randint(low=0, high=n_class * n_neighbors, size=n_new)
        steps = rng.uniform(size=n_new)
        rows, cols = np.divmod(flat, n_neighbors)
    else:
        n_per_sample, n_remaining = divmod(n_new, n_class)
        rows = np.concatenate(
            [
                np.repeat(np.arange(n_class), n_per_sample),
                rng.permutation(n_class)[:n_remaining],
            ]
        )
        cols = rng.randint(low=0, high=n_neighbors, size=n_new)
        steps = rng.uniform(size=n_new)
    as_index = np.intp
    return (
        np.ascontiguousarray(rows, dtype=as_index),
        np.ascontiguousarray(cols, dtype=as_index),
        np.ascontiguousarray(steps, dtype=np.float64),
    )


def _generate_into(X_class, neighbours, rows, cols, steps, out, n_threads):
    """Interpolate dense rows of ``X_class`` into the preallocated ``out``."""
    if out.dtype in (np.float32, np.float64) and X_class.dtype == out.dtype:
        generate_dense(X_class, neighbours, rows, cols, steps, out, n_threads)
    else:
        # Integer (or other numeric) input: imbalanced-learn interpolates in float64 and casts
        # the result back to the input dtype; do the same through a float64 buffer.
        buffer = np.empty(out.shape, dtype=np.float64)
        generate_dense(
            np.ascontiguousarray(X_class, dtype=np.float64),
            neighbours,
            rows,
            cols,
            steps,
            buffer,
            n_threads,
        )
        out[...] = buffer.astype(out.dtype)


def _generate_sparse(X_class, neighbours, rows, cols, steps, n_threads):
    """Interpolate CSR rows; return ``(data, indices, indptr)`` of the new rows."""
    X_class = X_class.tocsr(copy=False)
    if not X_class.has_sorted_indices:
        X_class = X_class.sorted_indices()
    dtype = X_class.dtype if X_class.dtype in (np.float32, np.float64) else np.float64
    data = np.ascontiguousarray(X_class.data, dtype=dtype)
    indices = np.ascontiguousarray(X_class.indices, dtype=np.intp)
    indptr = np.ascontiguousarray(X_class.indptr, dtype=np.intp)
    row_nnz = np.empty(rows.shape[0], dtype=np.intp)
    count_sparse(data, indices, indptr, neighbours, rows, cols, steps, row_nnz, n_threads)
    new_indptr = np.zeros(rows.shape[0] + 1, dtype=np.intp)
    np.cumsum(row_nnz, out=new_indptr[1:])
    new_data = np.empty(new_indptr[-1], dtype=dtype)
    new_indices = np.empty(new_indptr[-1], dtype=np.intp)
    fill_sparse(
        data,
        indices,
        indptr,
        neighbours,
        rows,
        cols,
        steps,
        new_indptr,
        new_data,
        new_indices,
        n_threads,
    )
    return new_data, new_indices, new_indptr


def _stack_csr(X, new_blocks, shape):
    """Stack CSR ``X`` and the new ``(data, indices, indptr)`` blocks into one matrix."""
    data = [X.data.astype(X.dtype, copy=False)]
    indices = [X.indices.astype(np.intp, copy=False)]
    indptr = [X.indptr.astype(np.intp, copy=False)]
    offset = X.indptr[-1]
    for block_data, block_indices, block_indptr in new_blocks:
        data.append(block_data.astype(X.dtype, copy=False))
        indices.append(block_indices)
        indptr.append(block_indptr[1:] + offset)
        offset += block_indptr[-1]
    container = sparse.csr_array if isinstance(X, sparse.sparray) else sparse.csr_matrix
    return container(
        (np.concatenate(data), np.concatenate(indices), np.concatenate(indptr)), shape=shape
    )


def _sampling_strategy_from_counts(sampler, classes, counts):
    """imbalanced-learn's ``sampling_strategy_`` from the class counts alone (Dask input).

    imbalanced-learn reads the counts off a label array; hand it a stand-in with the same
    counts (small integer codes where the strategy never sees the labels) rather than the
    real labels, which may be 8 bytes per row.
    """
    strategy = sampler.sampling_strategy
    sampling_type = sampler._sampling_type
    if isinstance(strategy, str | numbers.Real) and not isinstance(strategy, bool):
        code_dtype = np.min_scalar_type(max(classes.shape[0] - 1, 0))
        codes = np.repeat(np.arange(classes.shape[0], dtype=code_dtype), counts)
        by_code = check_sampling_strategy(strategy, codes, sampling_type)
        return OrderedDict((classes[int(code)], n) for code, n in by_code.items())
    return check_sampling_strategy(strategy, np.repeat(classes, counts), sampling_type)


@Substitution(sampling_strategy=BaseOverSampler._sampling_strategy_docstring)
class SMOTE(_GroupDriver, _ProvenanceMixin, _ImblearnSMOTE):
    """Synthetic Minority Over-sampling Technique, a faster drop-in for imbalanced-learn's.

    Each synthetic sample lies on the segment between a minority sample and one of its
    ``k_neighbors`` nearest neighbours of the same class [1]_. For the same ``random_state``
    the output is identical to :class:`imblearn.over_sampling.SMOTE`'s (dense float64
    input bit for bit; CSR input to rounding; float32 stays float32), while the synthetic
    rows are written straight into the preallocated result by a Cython kernel. It is a
    subclass of :class:`imblearn.over_sampling.SMOTE`, so it goes wherever that class goes
    (:class:`imblearn.combine.SMOTEENN`, :class:`imblearn.combine.SMOTETomek`, ...).

    Read more in the :ref:`User Guide <over_sampling>`.

    Parameters
    ----------
    {sampling_strategy}

    random_state : int, RandomState instance or None, default=None
        Controls the randomization of the algorithm. As in imbalanced-learn, an int seeds a
        fresh generator for every over-sampled class.

    k_neighbors : int or object, default=5
        The nearest neighbours used to build the synthetic samples: an int ``k`` (a
        :class:`~sklearn.neighbors.NearestNeighbors` with ``k + 1`` neighbours is fitted,
        the sample itself being the first), or an estimator with ``kneighbors`` and
        ``kneighbors_graph`` methods, used as is.

    n_jobs : int, default=None
        Number of parallel jobs of the neighbour search, passed to
        :class:`~sklearn.neighbors.NearestNeighbors` when ``k_neighbors`` is an int (the
        meaning it had in imbalanced-learn). ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context, ``-1`` all processors. The generation kernel
        takes its threads from the OpenMP runtime (``OMP_NUM_THREADS``,
        :func:`threadpoolctl.threadpool_limits`). Neither ever changes the output.

    base_selection : {{"random", "even"}}, default="random"
        How base samples are chosen. ``"random"`` draws each synthetic sample's base and
        neighbour together, uniformly over all (sample, neighbour) pairs, exactly as
        imbalanced-learn does. ``"even"`` is the SMOTE paper's scheme: every sample of the
        class is used as a base ``N // n_class`` times (``N`` synthetic samples) and a random
        subset of them once more for the remainder, each time with a random neighbour.

    Attributes
    ----------
    sampling_strategy_ : dict
        Dictionary containing the information to sample the dataset. The keys
        corresponds to the class labels from which to sample and the values
        are the number of samples to sample.

    nn_k_ : estimator object
        Validated k-nearest neighbours created from the ``k_neighbors`` parameter.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``. Defined only when ``X`` has feature
        names that are all strings.

    sample_indices_ : ndarray of shape (n_samples,)
        Indices into the input of the original rows of the output, in output order (all of
        them, first).

    synthetic_indices_ : ndarray of shape (n_synthetic,)
        Positions in the output of the synthetic rows (the last ``n_synthetic`` rows).

    base_indices_ : ndarray of shape (n_synthetic,)
        For each synthetic row, the index into the input of its base sample.

    neighbor_indices_ : ndarray of shape (n_synthetic,)
        For each synthetic row, the index into the input of the neighbour it moves towards.

    gaps_ : ndarray of shape (n_synthetic,)
        For each synthetic row, the interpolation gap ``u`` in ``[0, 1)``: the row is
        ``X[base] + u * (X[neighbor] - X[base])``.

    See Also
    --------
    SMOTENC : Over-sample using SMOTE for continuous and categorical features.
    skselect.combine.SMOTEUnderSampler : SMOTE followed by random under-sampling.

    Notes
    -----
    Synthetic samples are appended after the original ones, class by class in sorted label
    order; the original rows are returned unchanged and in order. The neighbour search is
    scikit-learn's :class:`~sklearn.neighbors.NearestNeighbors` with imbalanced-learn's
    settings, so the neighbours, and therefore the samples, are the same; its cost dominates
    for large classes.

    The output has the input's kind: NumPy array, SciPy sparse matrix, pandas DataFrame
    (nullable ``Int64``, ``Float64`` and ``boolean`` columns included) or polars DataFrame.
    Synthetic values are computed in floating point and cast to each column's dtype, as
    imbalanced-learn casts them: integer columns are truncated towards zero and boolean
    columns are ``True`` where the value is non-zero. Inputs near the largest float are
    handled without overflow (the neighbour search runs on the data scaled by an exact power
    of two, and the interpolation falls back to ``(1 - u) * X[base] + u * X[neighbor]`` where
    the difference overflows).

    :meth:`resample_array` carries any row-aligned array (``sample_weight``, ``groups``)
    through the last resampling, and :class:`FitResampled` does it for the estimator fitted
    on the resampled data, inside a pipeline.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: synthetic
       minority over-sampling technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skselect.over_sampling import SMOTE
    >>> X, y = make_classification(n_classes=2, class_sep=2, weights=[0.1, 0.9],
    ...     n_informative=3, n_redundant=1, flip_y=0, n_features=20,
    ...     n_clusters_per_class=1, n_samples=1000, random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 100), (1, 900)]
    >>> X_res, y_res = SMOTE(random_state=42).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 900), (1, 900)]
    """

    _parameter_constraints: dict = {
        **_ImblearnSMOTE._parameter_constraints,
        "k_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
        "n_jobs": [
            Interval(numbers.Integral, None, -1, closed="right"),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "base_selection": [StrOptions({"random", "even"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        n_jobs=None,
        base_selection="random",
    ):
        # No super().__init__: in SMOTENC's method order the next __init__ is
        # imbalanced-learn's SMOTENC's, whose signature differs; storing is all it would do.
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.n_jobs = n_jobs
        self.base_selection = base_selection

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
        >>> from skselect.over_sampling import SMOTE
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
        >>> sorted((int(label), count) for label, count in Counter(y_res).items())
        [(0, 91), (1, 91)]
        """
        return fit_resample_io(self, X, y, params, lambda X, y: self._resample(X, y, params))

    def _resample(self, X, y, params):
        """In-memory NumPy, SciPy or pandas input: imbalanced-learn's checks, then ours."""
        check_labels(y)
        if isinstance(self.sampling_strategy, dict):
            # imbalanced-learn's messages for a dict that does not fit y do not name it.
            try:
                check_sampling_strategy(
                    self.sampling_strategy, check_target_type(np.asarray(y)), "over-sampling"
                )
            except ValueError as error:
                raise ValueError(
                    f"sampling_strategy={self.sampling_strategy!r} does not fit y: {error}"
                ) from None
        return super().fit_resample(X, y, **params)

    def _validate_estimator(self, sparse_search=False):
        if isinstance(self.k_neighbors, numbers.Integral):
            # scikit-learn's sparse brute-force search splits each distance block over joblib
            # threads, which measured slower than one thread; dense searches use n_jobs.
            n_jobs = None if sparse_search else self.n_jobs
            self.nn_k_ = NearestNeighbors(n_neighbors=self.k_neighbors + 1, n_jobs=n_jobs)
        else:
            self.nn_k_ = clone(self.k_neighbors)

    def _check_class_size(self, class_label, n_class):
        """Raise a clear error when a class is too small for the neighbour search."""
        n_neighbors = getattr(self.nn_k_, "n_neighbors", None)
        if not isinstance(n_neighbors, numbers.Integral):
            return
        if n_neighbors < 2:
            raise ValueError(
                f"The k_neighbors estimator has n_neighbors={n_neighbors}, but SMOTE asks it "
                "for each sample itself and at least one neighbour to interpolate towards: "
                "use n_neighbors >= 2 (an int k_neighbors=k fits k + 1)."
            )
        if n_class >= n_neighbors:
            return
        if isinstance(self.k_neighbors, numbers.Integral):
            asked = f"k_neighbors={self.k_neighbors} needs"
        else:
            asked = (
                f"The k_neighbors estimator asks for n_neighbors={n_neighbors} (the sample "
                f"itself and {n_neighbors - 1} neighbours), which needs"
            )
        if n_class >= 2:
            advice = f"Use k_neighbors <= {n_class - 1}"
        else:
            advice = "SMOTE needs at least 2 samples in a class to interpolate; drop the class"
        raise ValueError(
            f"{asked} at least {n_neighbors} samples in every class to over-sample, but "
            f"class {_plain(class_label)!r} has only {n_class}. {advice}, or exclude this class "
            "from sampling_strategy."
        )

    def _class_neighbours(self, X_class, class_label):
        """Fit the neighbour search on one class; return its neighbour table (self dropped)."""
        self._check_class_size(class_label, X_class.shape[0])
        scale = _overflow_safe_scale(X_class)
        if scale != 1.0:
            X_class = X_class * scale
        self.nn_k_.fit(X_class)
        # scikit-learn's sparse (and non-Euclidean) brute-force search materialises distance
        # blocks of up to `working_memory` (1 GiB by default). Every row's distances and
        # neighbours are computed the same way whatever the block height, so smaller blocks
        # change nothing in the result and bound the peak memory.
        with config_context(working_memory=_NEIGHBOURS_WORKING_MEMORY_MIB):
            neighbours = self.nn_k_.kneighbors(X_class, return_distance=False)[:, 1:]
        return np.ascontiguousarray(neighbours, dtype=np.intp)

    def _fit_resample_lazy(self, source):
        """Dask input: the in-memory per-class loop on the gathered over-sampled classes.

        ``source`` (``over_sampling/_smote_dask.py``) counts the classes in one pass over
        ``y``, gathers the rows of the classes to over-sample with their positions in the
        input, turns each class's draws into lazy output chunks and assembles the output.
        Every fitted attribute is set here, as :meth:`_fit_resample` sets it in memory.
        """
        self._validate_params()
        classes, counts = source.class_counts()
        check_classification_targets(classes)
        validate_data(self, X=source.meta(), reset=True, skip_check_array=True)
        self.sampling_strategy_ = _sampling_strategy_from_counts(self, classes, counts)
        self._validate_estimator()
        targets = [(label, n) for label, n in self.sampling_strategy_.items() if n > 0]
        source.check_budget(targets, dict(zip(classes, counts, strict=True)))
        X, y, row_index = source.gather([label for label, _ in targets])
        # the kernel runs in the chunk tasks, one thread each
        state = self._driver_state(n_threads=1, source=source)
        groups = [(label, np.flatnonzero(y == label), n) for label, n in targets]
        blocks, provenance = self._over_sample_groups(X, groups, state)
        self._record_provenance(source.n_samples, provenance, row_index=row_index)
        return source.assemble([chunk for class_chunks in blocks for chunk in class_chunks])

    def _fit_resample(self, X, y):
        self._validate_estimator(sparse_search=sparse.issparse(X))
        targets = [(label, n) for label, n in self.sampling_strategy_.items() if n > 0]
        n_total = X.shape[0] + sum(n for _, n in targets)
        y_resampled = np.empty(n_total, dtype=y.dtype)
        y_resampled[: y.shape[0]] = y
        state = self._driver_state(
            n_threads=_kernel_n_threads(sum(self.sampling_strategy_.values()) * X.shape[1])
        )
        is_sparse = sparse.issparse(X)
        if not is_sparse:
            # the kernel writes the synthetic rows straight into the result
            X_resampled = np.empty((n_total, X.shape[1]), dtype=X.dtype)
            X_resampled[: X.shape[0]] = X
            state.out = X_resampled[X.shape[0] :]
        groups = [(label, np.flatnonzero(y == label), n) for label, n in targets]
        new_blocks, provenance = self._over_sample_groups(X, groups, state)
        offset = X.shape[0]
        for class_label, _, n_new in groups:
            y_resampled[offset : offset + n_new] = class_label
            offset += n_new

        self._record_provenance(X.shape[0], provenance)
        if is_sparse:
            X_resampled = _stack_csr(X.tocsr(), new_blocks, (n_total, X.shape[1]))
            if X.format != "csr":
                X_resampled = X_resampled.asformat(X.format)
        return X_resampled, y_resampled

    # -- the hooks of the over-sampling driver (over_sampling/_driver.py) ---------------------

    def _group_search(self, X, members, key, state):
        X_class = _safe_indexing(X, members)
        if not sparse.issparse(X_class):
            X_class = np.ascontiguousarray(X_class)
        return X_class, X_class

    def _group_draws(self, key, n_members, n_neighbors, n_new, state):
        # imbalanced-learn's protocol: a fresh generator from random_state for every class
        return _draw_samples(self.random_state, n_members, n_neighbors, n_new, self.base_selection)

    def _group_generate(self, X_group, members, table, distances, draws, key, position, state):
        rows, cols, steps = draws
        if getattr(state, "source", None) is not None:
            # Dask input: lazy chunks of the output, made by the container
            return state.source.synthetic(X_group, table, draws, key)
        if sparse.issparse(X_group):
            return _generate_sparse(X_group, table, rows, cols, steps, state.n_threads)
        out = state.out[position : position + rows.shape[0]]
        _generate_into(X_group, table, rows, cols, steps, out, state.n_threads)
        return None


@Substitution(sampling_strategy=BaseOverSampler._sampling_strategy_docstring)
class SMOTENC(SMOTE, _ImblearnSMOTENC):
    """SMOTE for data with both continuous and nominal features, a drop-in for imblearn's.

    Continuous features are interpolated as in :class:`SMOTE`. Neighbours are searched with
    each differing nominal feature adding the squared median standard deviation of the
    class's continuous features to the squared distance, and every nominal feature of a new
    sample takes the category most frequent among the base sample's ``k_neighbors``
    neighbours, ties broken at random [1]_. The output equals
    :class:`imblearn.over_sampling.SMOTENC`'s for the same ``random_state``.

    Read more in the :ref:`User Guide <over_sampling>`.

    Parameters
    ----------
    categorical_features : "auto" or array-like of shape (n_cat_features,) or \
(n_features,), dtype={{bool, int, str}}
        Which features are categorical: ``"auto"`` (the :class:`pandas.CategoricalDtype`
        columns of a DataFrame), column indices, column names of a DataFrame, or a boolean
        mask.

    categorical_encoder : estimator, default=None
        One-hot encoder of the categorical features, keeping one column per category. If
        ``None``, a :class:`~sklearn.preprocessing.OneHotEncoder` with
        ``handle_unknown="ignore"`` is used.

    {sampling_strategy}

    random_state : int, RandomState instance or None, default=None
        Controls the randomization of the algorithm.

    k_neighbors : int or object, default=5
        The nearest neighbours used to build the synthetic samples, as in :class:`SMOTE`.

    n_jobs : int, default=None
        Number of parallel jobs of the neighbour search, as in :class:`SMOTE`; never changes
        the output.

    base_selection : {{"random", "even"}}, default="random"
        How base samples are chosen, as in :class:`SMOTE`.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to generate per targeted class.

    nn_k_ : estimator object
        Validated k-nearest neighbours created from the ``k_neighbors`` parameter.

    categorical_encoder_ : estimator
        The fitted encoder of the categorical features.

    categorical_features_ : ndarray of shape (n_cat_features,), dtype=np.int64
        Indices of the categorical features.

    continuous_features_ : ndarray of shape (n_cont_features,), dtype=np.int64
        Indices of the continuous features.

    median_std_ : dict of int -> float
        Median of the standard deviations of the continuous features, per over-sampled class.

    n_features_ : int
        Number of features of the input.

    n_features_in_ : int
        Number of features in the input dataset.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit_resample``.

    sample_indices_, synthetic_indices_, base_indices_, neighbor_indices_, gaps_ : ndarray
        Provenance of the output rows, as in :class:`SMOTE`. The base, neighbour and gap
        give a synthetic row's continuous features; its categorical features are the vote
        of the base sample's neighbours.

    See Also
    --------
    SMOTE : Over-sample continuous features.

    Notes
    -----
    As in imbalanced-learn, the median standard deviation is computed per over-sampled class
    and the vote excludes the base sample itself. The original rows are returned unchanged:
    the encoder only encodes them, and only the synthetic rows are decoded.

    Data types: the continuous features are interpolated in float64, or in float32 when
    they are float32 or float16 (``float16`` values are cast back). A NumPy array whose
    continuous features are all integers comes back as float64 (imbalanced-learn would
    truncate the scaled one-hot codes to 0); a pandas or polars DataFrame keeps every
    column's dtype, integer columns being truncated towards zero as in :class:`SMOTE`.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: synthetic
       minority over-sampling technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002, section 6.1.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skselect.over_sampling import SMOTENC
    >>> X, y = make_classification(n_classes=2, class_sep=2, weights=[0.1, 0.9],
    ...     n_informative=3, n_redundant=1, flip_y=0, n_features=20,
    ...     n_clusters_per_class=1, n_samples=1000, random_state=10)
    >>> X[:, -2:] = np.random.RandomState(10).randint(0, 4, size=(1000, 2))
    >>> sm = SMOTENC(categorical_features=[18, 19], random_state=42)
    >>> X_res, y_res = sm.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 900), (1, 900)]
    """

    _required_parameters = ["categorical_features"]

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
        "categorical_encoder": [HasMethods(["fit_transform", "inverse_transform"]), None],
    }

    def __init__(
        self,
        categorical_features,
        *,
        categorical_encoder=None,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        n_jobs=None,
        base_selection="random",
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
            n_jobs=n_jobs,
            base_selection=base_selection,
        )
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder

    def _check_X_y(self, X, y):
        # Strings and DataFrames must reach the encoder untouched; the continuous part is
        # checked (numeric, finite) once it is split off.
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if not hasattr(X, "iloc"):
            X = check_array(X, dtype=None, accept_sparse=["csr", "csc"], ensure_all_finite=False)
            if X.dtype.byteorder == (">" if np.little_endian else "<"):
                # scipy.sparse (the one-hot search matrix) refuses non-native byte orders;
                # the same values in the native order give the same result.
                X = X.astype(X.dtype.newbyteorder("="))
        elif X.shape[0] < 1:
            raise ValueError(
                f"Found array with {X.shape[0]} sample(s) while a minimum of 1 is required."
            )
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        # fit() stops here, so the continuous features are checked (numeric, finite) now.
        self._validate_column_types(X)
        self._check_feature_mix()
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {X.shape[0]} rows and "
                f"y has {y.shape[0]} labels. Pass one label per row of X."
            )
        if self.continuous_features_.size:
            check_array(
                _safe_indexing(X, self.continuous_features_, axis=1),
                accept_sparse=["csr", "csc"],
                input_name="X",
            )
        return X, y, binarize_y

    def _validate_column_types(self, X):
        n_features = X.shape[1]
        if isinstance(self.categorical_features, str) and self.categorical_features == "auto":
            if not hasattr(X, "dtypes"):
                raise ValueError(
                    "When `categorical_features='auto'`, the input data should be a "
                    f"pandas.DataFrame. Got {type(X)} instead."
                )
            import pandas as pd

            self.categorical_features_ = np.flatnonzero(
                [isinstance(dtype, pd.CategoricalDtype) for dtype in X.dtypes]
            )
            if self.categorical_features_.size == 0:
                text = [
                    str(name)
                    for name, dtype in X.dtypes.items()
                    if not pd.api.types.is_numeric_dtype(dtype)
                    and not pd.api.types.is_bool_dtype(dtype)
                ]
                hint = (
                    f" Columns {text} hold non-numeric values but are not of the 'category' "
                    f"dtype: convert them (X.astype({{{text[0]!r}: 'category'}})) or name "
                    "them in categorical_features."
                    if text
                    else ""
                )
                raise ValueError(
                    "SMOTE-NC is not designed to work only with numerical features. It "
                    "requires some categorical features: categorical_features='auto' found "
                    f"no column of pandas' 'category' dtype.{hint}"
                )
        else:
            features = np.asarray(self.categorical_features)
            if features.dtype == bool:
                if features.shape != (n_features,):
                    raise ValueError(
                        "A boolean mask categorical_features must have one entry per "
                        f"feature: got {features.shape[0]} entries for {n_features} features."
                    )
                self.categorical_features_ = np.flatnonzero(features)
            else:
                if features.dtype.kind in "OUS":
                    names = list(getattr(X, "columns", []))
                    if not names:
                        raise ValueError(
                            "categorical_features given as column names requires X to be a "
                            f"pandas.DataFrame; got {type(X).__name__}."
                        )
                    missing = [name for name in features if name not in names]
                    if missing:
                        raise ValueError(
                            f"categorical_features names {missing} are not columns of X."
                        )
                    features = np.array([names.index(name) for name in features])
                elif features.dtype.kind not in "iu" and features.size:
                    raise ValueError(
                        "categorical_features must be integer column indices, column names "
                        "or a boolean mask; got "
                        f"{np.asarray(self.categorical_features).tolist()!r}."
                    )
                features = features.astype(np.int64).ravel()
                out_of_range = features[(features < -n_features) | (features >= n_features)]
                if out_of_range.size:
                    raise ValueError(
                        f"categorical_features has indices {out_of_range.tolist()} out of "
                        f"range for X with {n_features} features: all features must be in "
                        f"[0, {n_features - 1}]."
                    )
                # The given order is kept: it is the order of the one-hot blocks, hence of
                # the distance sums and of the tie-breaking draws, as in imbalanced-learn.
                self.categorical_features_ = features % n_features
        values, counts = np.unique(self.categorical_features_, return_counts=True)
        if (counts > 1).any():
            raise ValueError(
                f"categorical_features names columns {values[counts > 1].tolist()} more than "
                "once (negative indices counted from the end); list every categorical "
                "column once."
            )
        self.continuous_features_ = np.setdiff1d(np.arange(n_features), self.categorical_features_)

    def _validate_estimator(self):
        # the search runs on the sparse [continuous | scaled one-hot] matrix
        super()._validate_estimator(sparse_search=True)
        self._check_feature_mix()

    def _check_feature_mix(self):
        if self.categorical_features_.size == self.n_features_in_:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. It "
                "requires some numerical features: categorical_features names all "
                f"n_features={self.n_features_in_} features of X. Leave the numerical "
                "columns out of categorical_features (imbalanced-learn's SMOTEN handles "
                "purely categorical data)."
            )
        if self.categorical_features_.size == 0:
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical features. It "
                "requires some categorical features: categorical_features names none. List "
                "the categorical columns in categorical_features, or use SMOTE for purely "
                "numerical data."
            )

    def _encode_categorical(self, X_categorical, dtype):
        if self.categorical_encoder is None:
            self.categorical_encoder_ = OneHotEncoder(handle_unknown="ignore", dtype=dtype)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        if sparse.issparse(X_categorical):
            X_categorical = X_categorical.toarray()
        X_ohe = self.categorical_encoder_.fit_transform(X_categorical)
        X_ohe = sparse.csr_matrix(X_ohe, dtype=dtype)
        block_sizes = np.array(
            [categories.size for categories in self.categorical_encoder_.categories_],
            dtype=np.intp,
        )
        infrequent = [
            categories
            for categories in getattr(self.categorical_encoder_, "infrequent_categories_", [])
            if categories is not None and len(categories)
        ]
        if X_ohe.shape[1] != block_sizes.sum() or infrequent:
            merged = (
                f" It merged the infrequent categories {[c.tolist() for c in infrequent]} "
                "into one column, so synthetic samples could only be given their group, "
                "not a category."
                if infrequent
                else ""
            )
            raise ValueError(
                "SMOTENC requires a one-hot encoding with one column per category of the "
                "categorical features. The categorical_encoder produced "
                f"{X_ohe.shape[1]} columns for {block_sizes.sum()} categories, as encoders "
                "that drop columns (OneHotEncoder(drop=...)) or merge infrequent categories "
                f"(min_frequency, max_categories) do.{merged} Pass an encoder that keeps all "
                "categories, such as OneHotEncoder(handle_unknown='ignore')."
            )
        return X_ohe, block_sizes

    def _decode(self, codes):
        """What OneHotEncoder.inverse_transform returns for rows with these one-hot codes.

        scikit-learn's sparse inverse_transform takes a Python-level argmax per row; indexing
        the fitted categories with the codes gives the same array much faster.
        """
        categories = self.categorical_encoder_.categories_
        decoded = np.empty(codes.shape, dtype=np.result_type(*[c.dtype for c in categories]))
        for feature, feature_categories in enumerate(categories):
            decoded[:, feature] = feature_categories[codes[:, feature]]
        return decoded

    @staticmethod
    def _category_codes(X_ohe, block_sizes):
        """Category code of every row and categorical feature; -1 where the row has none."""
        block_starts = np.concatenate([[0], np.cumsum(block_sizes)[:-1]]).astype(np.intp)
        block_of_column = np.repeat(np.arange(block_sizes.size), block_sizes)
        coo = X_ohe.tocoo()
        nonzero = coo.data != 0
        row, column = coo.row[nonzero], coo.col[nonzero]
        codes = np.full((X_ohe.shape[0], block_sizes.size), -1, dtype=np.intp)
        features = block_of_column[column]
        codes[row, features] = column - block_starts[features]
        return codes, block_starts

    def _vote(
        self, rng, codes, block_sizes, block_starts, neighbours, rows, weight, dtype, n_threads
    ):
        """Winning category code of every new sample and categorical feature."""
        n_new, n_categorical = rows.shape[0], block_sizes.size
        n_winners = np.empty((n_new, n_categorical), dtype=np.intp)
        first_winner = np.empty((n_new, n_categorical), dtype=np.intp)
        vote_counts(
            codes,
            block_sizes,
            block_starts,
            neighbours,
            rows,
            np.array([weight], dtype=dtype),
            n_winners,
            first_winner,
            n_threads,
        )
        winners = first_winner
        for feature in range(n_categorical):
            # imbalanced-learn shuffles the (row, column) pairs of all tied maxima with one
            # permutation per feature and keeps each row's first; reproduce which one wins
            # without materialising the pairs.
            counts = n_winners[:, feature]
            starts = np.zeros(n_new, dtype=np.intp)
            np.cumsum(counts[:-1], out=starts[1:])
            permutation = rng.permutation(int(counts.sum()))
            position = np.empty_like(permutation)
            position[permutation] = np.arange(permutation.size)
            first_position = np.minimum.reduceat(position, starts)
            ranks = permutation[first_position] - starts
            tied = np.flatnonzero(ranks > 0)
            if tied.size:
                tied_winners = np.empty(tied.size, dtype=np.intp)
                winner_at_rank(
                    codes,
                    block_sizes,
                    neighbours,
                    np.ascontiguousarray(rows[tied]),
                    np.full(tied.size, feature, dtype=np.intp),
                    np.ascontiguousarray(ranks[tied], dtype=np.intp),
                    np.array([weight], dtype=dtype),
                    tied_winners,
                )
                winners[tied, feature] = tied_winners
        return winners

    def _fit_resample_lazy(self, source):
        """Dask input: the gathered over-sampled classes are resampled on the client.

        The categorical vote breaks ties with one permutation over all synthetic rows of a
        class, so its rows cannot be produced chunk by chunk without that permutation; the
        synthetic rows of SMOTE-NC (not the original data) are therefore made on the client,
        by :meth:`_fit_resample` on the gathered rows, and then split into output chunks.
        The encoder must see every category of the data, as in memory: the gathered rows are
        padded with rows (of a class that is not over-sampled) carrying the categories seen
        anywhere.
        """
        self._validate_params()
        classes, counts = source.class_counts()
        check_classification_targets(classes)
        meta = source.meta()
        validate_data(self, X=meta, reset=True, skip_check_array=True)
        self.sampling_strategy_ = _sampling_strategy_from_counts(self, classes, counts)
        if self.categorical_encoder is not None:
            raise ValueError(
                "SMOTENC on Dask input fits its own OneHotEncoder on the categories of the "
                "whole data; categorical_encoder must be None, got "
                f"{type(self.categorical_encoder).__name__}."
            )
        self._validate_column_types(meta)
        self._validate_estimator()
        counts_of = dict(zip(classes, counts, strict=True))
        targets = [(label, n) for label, n in self.sampling_strategy_.items() if n > 0]
        # the class and its synthetic rows are both held on the client
        source.check_budget(
            targets,
            {label: counts_of[label] + n_new for label, n_new in targets},
            dtype=source.dtype if source.dtype != object else np.float64,
            what="samples and synthetic samples",
        )
        labels = [label for label, _ in targets]
        categorical = self.categorical_features_.tolist()
        rows, y_rows, row_index, categories = source.gather_categorical(
            labels, categorical, self.continuous_features_.tolist()
        )
        if not targets:
            self._record_provenance(source.n_samples, [])
            return source.assemble([])
        others = [label for label in classes if label not in set(labels)]
        if not others:
            raise ValueError(
                "SMOTENC on Dask input needs one class that is not over-sampled; "
                "sampling_strategy over-samples every class."
            )
        n_pad = max(c.shape[0] for c in categories)
        padding = source.padding(categories, categorical, n_pad)
        if hasattr(rows, "iloc"):
            import pandas as pd

            X = pd.concat([rows, padding], ignore_index=True)
        else:
            X = np.concatenate([rows, padding])
        y = np.concatenate([y_rows, np.full(n_pad, others[0], dtype=y_rows.dtype)])
        # padding rows are never over-sampled: no provenance refers to them
        row_index = np.concatenate([row_index, np.full(n_pad, -1, dtype=np.intp)])
        X_resampled, _ = self._fit_resample(X, y, provenance_rows=(source.n_samples, row_index))
        synthetic = X_resampled[X.shape[0] :]
        return source.assemble(source.split(synthetic, targets))

    def _fit_resample(self, X, y, *, provenance_rows=None):
        """In-memory SMOTE-NC; ``provenance_rows=(n_samples, row_index)`` when ``X`` holds
        rows gathered from a larger input (Dask), ``row_index`` their positions in it."""
        self.n_features_ = X.shape[1]
        self._validate_column_types(X)
        self._validate_estimator()

        X_continuous = _safe_indexing(X, self.continuous_features_, axis=1)
        X_continuous = check_array(X_continuous, accept_sparse=["csr", "csc"], input_name="X")
        input_dtype = X_continuous.dtype
        if X_continuous.dtype == np.float16:
            # SciPy's sparse matrices have no float16; compute in float32 and cast back.
            X_continuous = X_continuous.astype(np.float32)
        elif X_continuous.dtype.kind not in "f":
            X_continuous = X_continuous.astype(np.float64)
        dtype = X_continuous.dtype
        X_categorical = _safe_indexing(X, self.categorical_features_, axis=1)
        X_ohe, block_sizes = self._encode_categorical(X_categorical, dtype)
        codes, block_starts = self._category_codes(X_ohe, block_sizes)
        n_continuous = self.continuous_features_.size

        targets = [(label, n) for label, n in self.sampling_strategy_.items() if n > 0]
        n_total = X.shape[0] + sum(n for _, n in targets)
        y_resampled = np.empty(n_total, dtype=y.dtype)
        y_resampled[: y.shape[0]] = y
        is_sparse = sparse.issparse(X_continuous)
        if is_sparse:
            X_continuous_csr = X_continuous.tocsr()
        state = self._driver_state(
            n_threads=_kernel_n_threads((n_total - X.shape[0]) * self.n_features_),
            X_continuous=X_continuous_csr if is_sparse else X_continuous,
            X_ohe=X_ohe,
            codes=codes,
            block_sizes=block_sizes,
            block_starts=block_starts,
            dtype=dtype,
            winner_blocks=[],
        )
        self.median_std_ = {}
        groups = [(label, np.flatnonzero(y == label), n) for label, n in targets]
        continuous_blocks, provenance = self._over_sample_groups(X, groups, state)
        winner_blocks = state.winner_blocks
        offset = X.shape[0]
        for class_label, _, n_new in groups:
            y_resampled[offset : offset + n_new] = class_label
            offset += n_new

        n_samples, row_index = provenance_rows or (X.shape[0], None)
        self._record_provenance(n_samples, provenance, row_index=row_index)
        n_new_total = n_total - X.shape[0]
        new_categories = self._decode_new(winner_blocks, block_starts, X_ohe.shape[1], dtype)

        if is_sparse:
            continuous = _stack_csr(X_continuous_csr, continuous_blocks, (n_total, n_continuous))
            if input_dtype == np.float16:
                continuous = continuous.astype(np.float16)
            original_categories = X_categorical
            if sparse.issparse(original_categories):
                original_categories = original_categories.toarray()
            categories = np.concatenate([np.asarray(original_categories), new_categories])
            X_resampled = sparse.hstack((continuous, categories), format="csr")
            order = np.argsort(
                np.concatenate((self.continuous_features_, self.categorical_features_))
            )
            return X_resampled[:, order], y_resampled
        original = np.asarray(X)
        continuous_dtype = np.float16 if input_dtype == np.float16 else dtype
        out_dtype = np.result_type(original.dtype, continuous_dtype, new_categories.dtype)
        X_resampled = np.empty((n_total, self.n_features_), dtype=out_dtype)
        # the original rows are copied as they are, never round-tripped through the encoder
        X_resampled[: X.shape[0]] = original
        if n_new_total:
            X_resampled[X.shape[0] :, self.continuous_features_] = np.vstack(continuous_blocks)
            X_resampled[X.shape[0] :, self.categorical_features_] = new_categories
        return X_resampled, y_resampled

    # -- the hooks of the over-sampling driver (over_sampling/_driver.py) ---------------------

    def _group_search(self, X, members, key, state):
        if sparse.issparse(state.X_continuous):
            X_class_continuous = state.X_continuous[members]
            X_class_dense = None
        else:
            X_class_dense = np.ascontiguousarray(state.X_continuous[members])
            X_class_continuous = sparse.csr_matrix(X_class_dense)
        # The distances and the median standard deviation are computed on the class
        # scaled by an exact power of two (1 for ordinary data), where they cannot
        # overflow; the neighbours are unchanged by the scaling.
        scale = _overflow_safe_scale(X_class_continuous)
        X_class_search = X_class_continuous * scale if scale != 1.0 else X_class_continuous
        _, variance = mean_variance_axis(X_class_search, axis=0)
        median_std = np.median(np.sqrt(variance))
        self.median_std_[key] = median_std / scale
        # Each one-hot 1 becomes median_std / sqrt(2): a differing category flips two
        # coordinates, adding median_std**2 to the squared distance, the paper's penalty.
        X_class_ohe = state.X_ohe[members]
        X_class_ohe.data[:] = median_std / np.sqrt(2)
        X_class_encoded = sparse.hstack(
            (X_class_search, X_class_ohe), format="csr", dtype=state.dtype
        )
        return (X_class_continuous, X_class_dense, median_std), X_class_encoded

    def _group_generate(self, X_group, members, table, distances, draws, key, position, state):
        X_class_continuous, X_class_dense, median_std = X_group
        rows, cols, steps = draws
        if X_class_dense is None:
            block = _generate_sparse(X_class_continuous, table, rows, cols, steps, state.n_threads)
        else:
            n_continuous = self.continuous_features_.size
            block = np.empty((rows.shape[0], n_continuous), dtype=state.dtype)
            _generate_into(X_class_dense, table, rows, cols, steps, block, state.n_threads)
        # With a zero median the scaled codes vanish; imbalanced-learn then votes with the
        # plain one-hot codes, which counts the same neighbours with weight 1.
        weight = 1.0 if math.isclose(median_std, 0) else median_std / np.sqrt(2)
        state.winner_blocks.append(
            self._vote(
                check_random_state(self.random_state),
                state.codes[members],
                state.block_sizes,
                state.block_starts,
                table,
                rows,
                weight,
                state.dtype,
                state.n_threads,
            )
        )
        return block

    def _decode_new(self, winner_blocks, block_starts, n_ohe_columns, dtype):
        """The categories of the synthetic rows, from their winning category codes."""
        n_categorical = self.categorical_features_.size
        if not winner_blocks:
            categories = self.categorical_encoder_.categories_
            return np.empty(
                (0, n_categorical), dtype=np.result_type(*[c.dtype for c in categories])
            )
        new_codes = np.vstack(winner_blocks)
        if self.categorical_encoder is None:
            return self._decode(new_codes)
        # A user's encoder decodes through its own inverse_transform, as in imblearn.
        known = new_codes >= 0
        new_ohe = sparse.csr_matrix(
            (
                np.ones(int(known.sum()), dtype=dtype),
                (np.nonzero(known)[0], (new_codes + block_starts)[known]),
            ),
            shape=(new_codes.shape[0], n_ohe_columns),
        )
        return np.asarray(self.categorical_encoder_.inverse_transform(new_ohe))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        return tags
