"""Where every resampled row comes from, and row-aligned arrays carried along with it."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d


class _ProvenanceMixin:
    """``sample_indices_``, ``synthetic_indices_``, ``base_indices_``, ``neighbor_indices_``,
    ``gaps_`` and :meth:`resample_array` for samplers that keep originals and add SMOTE rows.
    """

    def _record_provenance(self, n_samples, per_class, row_index=None):
        """Store the provenance of a resampling that appends synthetic rows after the input.

        ``per_class`` holds, for every over-sampled class in output order, the class's row
        indices into the input, its neighbour table and the drawn (rows, cols, steps).
        ``row_index``, when the rows were gathered from a larger input of ``n_samples`` rows
        (Dask), maps the row indices of ``per_class`` to positions in that input.
        """
        bases, neighbours, gaps = [], [], []
        for class_indices, table, rows, cols, steps in per_class:
            if row_index is not None:
                class_indices = row_index[class_indices]
            bases.append(class_indices[rows])
            neighbours.append(class_indices[table[rows, cols]])
            gaps.append(steps)

        def join(blocks, dtype):
            # one over-sampled class (the common case) needs no concatenation copy
            if len(blocks) == 1:
                return blocks[0].astype(dtype, copy=False)
            return np.concatenate([np.empty(0, dtype=dtype), *blocks]).astype(dtype)

        self.base_indices_ = join(bases, np.intp)
        self.neighbor_indices_ = join(neighbours, np.intp)
        self.gaps_ = join(gaps, np.float64)
        # Original rows first, then the synthetic ones: both are ranges, built on access.
        self._sample_indices = None
        self._synthetic_indices = None
        self._n_samples_seen = n_samples

    @property
    def sample_indices_(self):
        if not hasattr(self, "_n_samples_seen"):
            raise AttributeError("sample_indices_ is set by fit_resample")
        if self._sample_indices is None:
            return np.arange(self._n_samples_seen, dtype=np.intp)
        return self._sample_indices

    @property
    def synthetic_indices_(self):
        if not hasattr(self, "_n_samples_seen"):
            raise AttributeError("synthetic_indices_ is set by fit_resample")
        if self._synthetic_indices is None:
            start = self._n_samples_seen
            return np.arange(start, start + self.base_indices_.size, dtype=np.intp)
        return self._synthetic_indices

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags

    def resample_array(self, values, *, interpolate=False):
        """Resample a row-aligned array the way the last ``fit_resample`` resampled ``X``.

        Original rows keep their values; each synthetic row takes its base sample's value,
        or, with ``interpolate=True``, the value interpolated between its base sample and
        neighbour with the row's gap (meaningful for numeric quantities such as
        ``sample_weight``, not for labels such as ``groups``).

        Parameters
        ----------
        values : array-like of shape (n_samples,) or (n_samples, n_columns)
            One value (or row) per sample of the ``X`` given to the last ``fit_resample``:
            a NumPy array, list, pandas Series/DataFrame or sparse matrix.

        interpolate : bool, default=False
            Interpolate numeric values for the synthetic rows instead of copying the base
            sample's.

        Returns
        -------
        values_resampled : array-like of shape (n_samples_new,) or (n_samples_new, n_columns)
            One value (or row) per row of the resampled ``X``, in the same order; of the same
            kind as ``values`` without interpolation, a float NumPy array with it.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from skselect.over_sampling import SMOTE
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> smote = SMOTE(random_state=0)
        >>> X_res, y_res = smote.fit_resample(X, y)
        >>> weights = smote.resample_array(np.linspace(1, 2, len(y)))
        >>> weights.shape == y_res.shape
        True
        """
        check_is_fitted(self, "base_indices_")
        n_values = _num_samples(values)
        if n_values != self._n_samples_seen:
            raise ValueError(
                f"values has {n_values} rows but the last fit_resample saw "
                f"{self._n_samples_seen} samples; pass one value per sample of that X."
            )
        n_out = self.sample_indices_.size + self.synthetic_indices_.size
        source = np.empty(n_out, dtype=np.intp)
        is_synthetic = np.zeros(n_out, dtype=bool)
        is_synthetic[self.synthetic_indices_] = True
        source[~is_synthetic] = self.sample_indices_
        source[self.synthetic_indices_] = self.base_indices_
        if not interpolate:
            return _safe_indexing(values, source)
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                "interpolate=True needs numeric values (such as sample_weight), got dtype "
                f"{array.dtype}; use interpolate=False to give synthetic rows their base "
                "sample's value."
            )
        array = array.astype(np.float64, copy=False)
        out = array[source]
        gaps = self.gaps_.reshape((-1,) + (1,) * (array.ndim - 1))
        base = array[self.base_indices_]
        out[self.synthetic_indices_] = base + gaps * (array[self.neighbor_indices_] - base)
        return out


class FitResampled(MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator on resampled data, with its fit parameters resampled too.

    ``fit(X, y, sample_weight=w, groups=g, ...)`` resamples ``X`` and ``y`` with ``sampler``
    and every row-aligned fit parameter with the sampler's provenance (see
    :meth:`SMOTE.resample_array`): original rows keep their values and each synthetic row
    takes its base sample's value, or the interpolation between its base sample and
    neighbour for the parameters named in ``interpolate``. The estimator is then fitted on the
    resampled data with those parameters. Prediction methods are the estimator's, on data as
    given (resampling only happens in ``fit``).

    As the last step of an :class:`imblearn.pipeline.Pipeline` or
    :class:`sklearn.pipeline.Pipeline`, pass the parameters as ``<step>__sample_weight=w``;
    they reach the estimator resampled, which a sampler step of the pipeline cannot do.

    Parameters
    ----------
    sampler : sampler object
        A sampler with provenance: :class:`SMOTE`, :class:`SMOTENC`,
        :class:`~skselect.combine.SMOTEUnderSampler`, or a regression sampler
        (:class:`SMOTER`, :class:`SMOGN`, :class:`RelevanceRandomOverSampler`,
        :class:`RelevanceRandomUnderSampler`). It is cloned.

    estimator : estimator object
        The estimator fitted on the resampled data. It is cloned.

    interpolate : tuple of str, default=()
        Names of the fit parameters whose synthetic values are interpolated rather than
        copied from the base sample.

    Attributes
    ----------
    sampler_ : sampler object
        The fitted clone of ``sampler``.

    estimator_ : estimator object
        The fitted clone of ``estimator``.

    classes_ : ndarray of shape (n_classes,)
        The estimator's classes, when it has them.

    n_features_in_ : int
        Number of features seen by the estimator.

    See Also
    --------
    SMOTE.resample_array : Carry one array through the last resampling.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skselect.over_sampling import SMOTE, FitResampled
    >>> X, y = make_classification(weights=[0.9], random_state=0)
    >>> weights = np.linspace(1, 2, len(y))
    >>> model = FitResampled(SMOTE(random_state=0), LogisticRegression())
    >>> model.fit(X, y, sample_weight=weights).predict(X[:3])
    array([0, 0, 0])
    """

    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample", "resample_array"])],
        "estimator": [HasMethods(["fit"])],
        "interpolate": [tuple, list],
    }

    def __init__(self, sampler, estimator, *, interpolate=()):
        self.sampler = sampler
        self.estimator = estimator
        self.interpolate = interpolate

    # the sampler and the estimator validate their own parameters
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Resample ``X``, ``y`` and the fit parameters, then fit the estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Target values.

        **fit_params : dict
            Parameters of the estimator's ``fit``; those with one value per sample are
            resampled, others are passed as they are.

        Returns
        -------
        self : object
            The fitted meta-estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skselect.over_sampling import SMOTE, FitResampled
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> model = FitResampled(SMOTE(random_state=0), LogisticRegression())
        >>> model.fit(X, y, sample_weight=np.linspace(1, 2, len(y))).estimator_.coef_.shape
        (1, 20)
        """
        unknown = set(self.interpolate) - set(fit_params)
        if unknown:
            raise ValueError(
                f"interpolate names {sorted(unknown)}, which are not fit parameters; the fit "
                f"parameters given are {sorted(fit_params)}."
            )
        shape = getattr(y, "shape", ())
        if len(shape) == 2 and shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self.sampler_ = clone(self.sampler)
        n_samples = _num_samples(X)
        X_resampled, y_resampled = self.sampler_.fit_resample(X, y)
        resampled_params = {}
        for name, value in fit_params.items():
            if (
                hasattr(value, "__len__")
                and not isinstance(value, str)
                and (_num_samples(value) == n_samples)
            ):
                value = self.sampler_.resample_array(value, interpolate=name in self.interpolate)
            resampled_params[name] = value
        self.estimator_ = clone(self.estimator).fit(X_resampled, y_resampled, **resampled_params)
        for attribute in ("classes_", "n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, attribute):
                setattr(self, attribute, getattr(self.estimator_, attribute))
        return self

    def _estimator_has(method):
        def check(self):
            if hasattr(self, "estimator_"):
                return hasattr(self.estimator_, method)
            return hasattr(self.estimator, method)

        return check

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the fitted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The estimator's predictions.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skselect.over_sampling import SMOTE, FitResampled
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> model = FitResampled(SMOTE(random_state=0), LogisticRegression())
        >>> model.fit(X, y).predict(X[:3])
        array([0, 0, 0])
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The estimator's probabilities.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skselect.over_sampling import SMOTE, FitResampled
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> model = FitResampled(SMOTE(random_state=0), LogisticRegression())
        >>> model.fit(X, y).predict_proba(X[:3]).shape
        (3, 2)
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray
            The estimator's decision function.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skselect.over_sampling import SMOTE, FitResampled
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> model = FitResampled(SMOTE(random_state=0), LogisticRegression())
        >>> model.fit(X, y).decision_function(X[:3]).shape
        (3,)
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """The fitted estimator's score on ``X``, ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,)
            True values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights of the test samples (not resampled).

        Returns
        -------
        score : float
            The estimator's score.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skselect.over_sampling import SMOTE, FitResampled
        >>> X, y = make_classification(weights=[0.9], random_state=0)
        >>> model = FitResampled(SMOTE(random_state=0), LogisticRegression())
        >>> 0.0 <= model.fit(X, y).score(X, y) <= 1.0
        True
        """
        check_is_fitted(self)
        if sample_weight is None:
            return self.estimator_.score(X, y)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator_tags = self.estimator.__sklearn_tags__()
        tags.estimator_type = estimator_tags.estimator_type
        tags.classifier_tags = estimator_tags.classifier_tags
        tags.regressor_tags = estimator_tags.regressor_tags
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        return tags
