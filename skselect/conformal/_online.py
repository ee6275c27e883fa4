"""OnlineConformalSelector: conformal selection of test units that arrive one at a time or in
batches, with online BH (selections may come later, never go) or LOND (final at once)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skselect.conformal._base import _wrap
from skselect.conformal._pvalues import _pvalues_from_scores


def _online_bh_count(sorted_ratios, fdr):
    """``k* = max{k: #{i: p_i / gamma_i <= fdr k} >= k}`` from the ascending ratios; only
    the ratios at or below ``fdr t`` can take part."""
    n_units = sorted_ratios.shape[0]
    candidates = int(np.searchsorted(sorted_ratios, fdr * n_units, side="right"))
    ranks = np.arange(1, candidates + 1)
    passing = np.flatnonzero(sorted_ratios[:candidates] <= fdr * ranks)
    return int(passing[-1]) + 1 if passing.size else 0


def _first_arrivals(old_sorted, new_ratios, fdr, k_old, k_new):
    """For k = k_old + 1 .. k_new, the first arrival of the batch (1-based) after which
    ``#{i: p_i / gamma_i <= fdr k} >= k``; ``len(new_ratios) + 1`` when it is never reached.

    The old units contribute a count found by binary search in their sorted ratios; the new
    units are added in ratio order to a Fenwick tree over their arrival positions, and the
    arrival at which the count reaches ``k`` is the ``(k - old count)``-th smallest
    position among them. Cost ``O((k_new - k_old + b) log(n_seen))`` for a batch of ``b``.
    """
    n_new = new_ratios.shape[0]
    order = np.argsort(new_ratios, kind="stable")
    sorted_new = new_ratios[order]
    tree = [0] * (n_new + 1)
    inserted = 0
    top_bit = 1 << n_new.bit_length()
    times = np.full(k_new - k_old, n_new + 1, dtype=np.intp)
    for index, k in enumerate(range(k_old + 1, k_new + 1)):
        bound = fdr * k
        while inserted < n_new and sorted_new[inserted] <= bound:
            position = int(order[inserted]) + 1
            while position <= n_new:
                tree[position] += 1
                position += position & -position
            inserted += 1
        # k > k*_old, so the old units alone never reach k: need >= 1.
        need = k - int(np.searchsorted(old_sorted, bound, side="right"))
        if need > inserted:
            continue
        position, step = 0, top_bit
        while step:
            if position + step <= n_new and tree[position + step] < need:
                position += step
                need -= tree[position]
            step >>= 1
        times[index] = position + 1
    return times


class OnlineConformalSelector(MetaEstimatorMixin, BaseEstimator):
    """Select test units as they arrive, with FDR control at every time.

    A fitted :class:`ConformalSelector` gives each arriving unit its conformal p-value
    against the fixed calibration set; an online multiple-testing rule then decides. Unit
    ``i`` (in order of arrival) gets a share ``gamma_i`` of the error budget,
    ``sum_i gamma_i <= 1``.

    - ``procedure="online_bh"`` (online Benjamini-Hochberg, Fischer, Xu and Ramdas, 2024):
      after ``t`` units, ``k*_t = max{k: #{i <= t: p_i <= fdr gamma_i k} >= k}`` and the
      selected set is ``R_t = {i <= t: p_i <= fdr gamma_i k*_t}``. ``k*_t`` never
      decreases, so a unit not selected on arrival may be selected later but a selected
      unit is never dropped ("accept to reject" changes only). With uniform weights
      ``gamma_i = 1 / H`` over a known horizon of ``H`` units, ``R_H`` is exactly the
      Benjamini-Hochberg selection of the ``H`` units taken as one batch.
    - ``procedure="lond"`` (LOND, Javanmard and Montanari, 2018): unit ``t`` is selected
      on arrival iff ``p_t <= fdr gamma_t (|R_{t-1}| + 1)``; every decision is final at
      once.

    For both, ``FDR(R_t) <= fdr`` at every time ``t`` when the p-values are positively
    dependent (PRDS), which conformal p-values computed against one calibration set are
    for exchangeable calibration and test data (Bates et al., 2023; Jin and Candès, 2023).
    Rules that need p-values independent of the past (LORD, SAFFRON, ADDIS) are not
    offered: shared-calibration conformal p-values do not satisfy that.

    Read more in the :ref:`User Guide <conformal>`.

    Parameters
    ----------
    selector : ConformalSelector
        An unfitted :class:`ConformalSelector` (``method="cfbh"``, no
        ``weight_function``): it gives the ranking model, the target, the conformity
        score, the split and the randomization of the p-values; ``fit`` fits a clone. Its
        own ``fdr`` is not used. With ``prefit=True`` its fitted ranking model is used
        as it is.
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``, at every time.
    procedure : {"online_bh", "lond"}, default="online_bh"
        ``"online_bh"``: decisions may come later (a unit can be accepted after it
        arrived). ``"lond"``: each decision is taken at arrival and is final.
    gamma : "uniform", array-like or callable, default="uniform"
        The weights ``gamma_i`` (unit ``i`` of the stream, from 1): ``"uniform"`` means
        ``1 / horizon``; an array gives them in order of arrival (at least one per unit
        that will arrive; non-negative, sum at most 1); a callable ``gamma(i) -> float``
        is evaluated for each arriving unit. Weights that decay fast leave late units
        almost no budget: a unit can only be selected when ``fdr gamma_i k >= 1 / (n + 1)``
        (``n`` calibration units), and a warning says when arriving units cannot be.
    horizon : int, default=None
        Number of units the stream will have; needed by ``gamma="uniform"``, optional
        otherwise. More arrivals than ``horizon`` raise a ValueError.

    Attributes
    ----------
    selector_ : ConformalSelector
        The fitted clone of ``selector``.
    n_seen_ : int
        Number of units received since ``fit`` (or ``reset``).
    p_values_ : ndarray of shape (n_seen,)
        Their conformal p-values, in order of arrival.
    gamma_ : ndarray of shape (n_seen,)
        Their weights ``gamma_i``.
    selected_ : ndarray of int
        Positions (in order of arrival) of the units selected so far, ascending.
    selected_at_ : ndarray of shape (n_seen,)
        For each unit, the value of ``n_seen_`` when it was selected (-1 if it is not).
    k_star_ : int
        ``k*_t`` of online BH (the number of units selected, for LOND).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when they are all strings.

    See Also
    --------
    ConformalSelector : Selection of one batch at once.

    Notes
    -----
    Each ``partial_select`` call on ``b`` new units costs one ``predict``,
    ``O(b log n)`` for their p-values and, for online BH, ``O(t + b log t)`` for ``k*``
    after each arrival (a merge into the sorted ratios ``p_i / gamma_i`` and a Fenwick
    tree over the batch). A call on a batch gives exactly the same state as calls on its
    units one by one, the time of each selection included. One stream per instance:
    ``partial_select`` changes the fitted state and must not be called from several
    threads at once.

    References
    ----------
    .. [1] L. Fischer, Z. Xu and A. Ramdas, "An online generalization of the
       (e-)Benjamini-Hochberg procedure", arXiv:2407.20683, 2024.
    .. [2] A. Javanmard and A. Montanari, "Online rules for control of false discovery
       rate and false discovery exceedance", Annals of Statistics 46(2), 2018.
    .. [3] K. Liu, H. Xi, C. Vong, H. Wei, "Online conformal selection with
       accept-to-reject changes", arXiv:2508.13838, 2025.
    .. [4] S. Bates, E. Candès, L. Lei, Y. Romano and M. Sesia, "Testing for outliers
       with conformal p-values", Annals of Statistics 51(1), 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skselect.conformal import ConformalSelector, OnlineConformalSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> y = X[:, 0] + 0.5 * rng.normal(size=400)
    >>> online = OnlineConformalSelector(
    ...     ConformalSelector(LinearRegression(), threshold=1.0, random_state=0),
    ...     fdr=0.2, horizon=100,
    ... ).fit(X, y)
    >>> X_stream = rng.normal(size=(100, 3))
    >>> online.partial_select(X_stream[:40]).shape   # one flag per unit seen so far
    (40,)
    >>> selected = online.partial_select(X_stream[40:])
    >>> selected.shape, online.n_seen_
    ((100,), 100)
    """

    _parameter_constraints: dict = {
        "selector": [HasMethods(["fit", "p_values"])],
        "fdr": [Interval(Real, 0, 1, closed="neither")],
        "procedure": [StrOptions({"online_bh", "lond"})],
        "gamma": [StrOptions({"uniform"}), "array-like", callable],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, selector, *, fdr=0.1, procedure="online_bh", gamma="uniform", horizon=None):
        self.selector = selector
        self.fdr = fdr
        self.procedure = procedure
        self.gamma = gamma
        self.horizon = horizon

    def _check_selector(self):
        from skselect.conformal._selector import ConformalSelector

        if not isinstance(self.selector, ConformalSelector):
            raise TypeError(
                "selector must be a ConformalSelector (it gives each unit its conformal "
                f"p-value), got {type(self.selector).__name__}."
            )
        if self.selector.method != "cfbh" or self.selector.weight_function is not None:
            raise ValueError(
                "OnlineConformalSelector needs unweighted conformal p-values: selector "
                "must have method='cfbh' and no weight_function (got "
                f"method={self.selector.method!r}, weight_function="
                f"{self.selector.weight_function!r})."
            )

    def _check_gamma(self):
        """The weights as an array (or None for a callable) and the effective horizon."""
        if isinstance(self.gamma, str):
            if self.horizon is None:
                raise ValueError(
                    "gamma='uniform' spreads the error budget over a known number of "
                    "units: give horizon (the number of units the stream will have), or "
                    "weights as an array or a callable gamma(i)."
                )
            return None, self.horizon
        if callable(self.gamma):
            return None, self.horizon
        weights = np.asarray(self.gamma)
        if weights.dtype.kind not in "biuf" or weights.ndim != 1 or weights.shape[0] == 0:
            raise ValueError(
                "gamma as an array must be a non-empty 1-d array of real numbers, got "
                f"dtype {weights.dtype} and shape {weights.shape}."
            )
        weights = weights.astype(np.float64)
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("gamma must hold finite, non-negative weights.")
        if weights.sum() > 1 + 1e-9:
            raise ValueError(
                f"gamma must sum to at most 1 (the whole error budget), got {weights.sum()!r}."
            )
        horizon = weights.shape[0] if self.horizon is None else self.horizon
        if horizon > weights.shape[0]:
            raise ValueError(
                f"gamma has {weights.shape[0]} weights but horizon={self.horizon}: give one "
                "weight per unit of the stream."
            )
        return weights, horizon

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the wrapped selector (ranking model and calibration) and start a stream.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Labelled samples, split by the wrapped selector into training and calibration
            parts (all used for calibration when it is ``prefit``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Labels (several columns only with a callable ``target`` on the selector).

        Returns
        -------
        self : object
            The fitted selector, with an empty stream.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector, OnlineConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(200, 2)), rng.normal(size=200)
        >>> online = OnlineConformalSelector(
        ...     ConformalSelector(LinearRegression(), random_state=0), horizon=10
        ... ).fit(X, y)
        >>> online.selector_.calib_scores_.shape, online.n_seen_
        ((100,), 0)
        """
        self._check_selector()
        self._weights, self._horizon = self._check_gamma()
        selector = clone(self.selector)
        if self.selector.prefit:
            # clone would drop the fitted ranking model that prefit promises to use.
            selector.set_params(estimator=self.selector.estimator)
        self.selector_ = selector.fit(X, y)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.selector_, name):
                setattr(self, name, getattr(self.selector_, name))
        self._n_calib = self.selector_.calib_scores_.shape[0]
        self._reset_stream()
        return self

    def _reset_stream(self):
        self.n_seen_ = 0
        self.p_values_ = np.zeros(0)
        self.gamma_ = np.zeros(0)
        self.selected_ = np.zeros(0, dtype=np.intp)
        self.selected_at_ = np.zeros(0, dtype=np.intp)
        self.k_star_ = 0
        self._sorted_ratios = np.zeros(0)
        # Uniforms of randomized p-values: one stream, one draw per unit in order, so a
        # batch and its units one by one get the same p-values.
        self._uniform_state = np.random.RandomState(self.selector_._fdp_seed()[0])

    def reset(self):
        """Forget the stream (the calibration is kept): the next unit is unit 1 again.

        Returns
        -------
        self : object
            The selector, with an empty stream.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector, OnlineConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(200, 2)), rng.normal(size=200)
        >>> online = OnlineConformalSelector(
        ...     ConformalSelector(LinearRegression(), random_state=0), horizon=10
        ... ).fit(X, y)
        >>> online.partial_select(X[:10]).shape, online.reset().n_seen_
        ((10,), 0)
        """
        check_is_fitted(self)
        self._reset_stream()
        return self

    def _weights_of(self, start, stop):
        if self._horizon is not None and stop > self._horizon:
            raise ValueError(
                f"The stream has reached its horizon of {self._horizon} units ({start} seen, "
                f"{stop - start} arriving): the error budget is spent. Call reset() to start "
                "a new stream, or fit with a larger horizon."
            )
        if isinstance(self.gamma, str):
            return np.full(stop - start, 1.0 / self._horizon)
        if self._weights is not None:
            return self._weights[start:stop]
        weights = np.array([self.gamma(i) for i in range(start + 1, stop + 1)], dtype=float)
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("gamma(i) must return finite, non-negative weights.")
        if self.gamma_.sum() + weights.sum() > 1 + 1e-9:
            raise ValueError(
                "The weights gamma(i) of the units seen so far sum to more than 1 "
                f"({self.gamma_.sum() + weights.sum()!r}): they must sum to at most 1."
            )
        return weights

    def _warn_if_unselectable(self, weights, start):
        """Warn when arriving units can never be selected: the smallest p-value is
        1 / (n + 1), and unit t needs fdr gamma_t k >= 1 / (n + 1) with k at most the
        horizon (online BH, when known) or t."""
        positions = np.arange(start + 1, start + weights.shape[0] + 1)
        largest_k = positions
        if self.procedure == "online_bh" and self._horizon is not None:
            largest_k = np.full_like(positions, self._horizon)
        hopeless = self.fdr * weights * largest_k < 1.0 / (self._n_calib + 1)
        if hopeless.any():
            first = int(positions[np.argmax(hopeless)])
            warnings.warn(
                f"{int(hopeless.sum())} of the {weights.shape[0]} arriving units (the first "
                f"is unit {first}) cannot be selected: fdr * gamma_i * {largest_k.max()} is "
                f"below 1 / (n + 1) = {1.0 / (self._n_calib + 1):.3g}, the smallest conformal "
                "p-value with n calibration units. Give late units more weight (gamma), "
                "more calibration data, or a shorter horizon.",
                UserWarning,
                stacklevel=3,
            )

    def partial_select(self, X):
        """Receive new units (in row order) and return the selection among all units so far.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_new, n_features)
            The arriving units, in order of arrival.

        Returns
        -------
        selected : ndarray of bool of shape (n_seen,)
            True for every unit selected so far, over all the units received since ``fit``
            or ``reset`` (in order of arrival). Units selected earlier stay selected.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector, OnlineConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3))
        >>> y = X[:, 0] + 0.3 * rng.normal(size=400)
        >>> online = OnlineConformalSelector(
        ...     ConformalSelector(LinearRegression(), threshold=1.0, random_state=0),
        ...     procedure="lond", gamma=lambda i: 1 / (i * (i + 1)),
        ... ).fit(X, y)
        >>> stream = rng.normal(size=(50, 3))
        >>> [int(online.partial_select(stream[i : i + 1]).sum()) for i in range(5)]
        [1, 1, 2, 2, 3]
        """
        check_is_fitted(self)
        selector = self.selector_
        X = selector._check_test_input(X)
        n_new = X.shape[0]
        start = self.n_seen_
        weights = self._weights_of(start, start + n_new)
        self._warn_if_unselectable(weights, start)
        # Randomized p-values draw one uniform per unit from the stream's generator.
        p_new = selector._p_values(X, random_state=self._uniform_state)
        p_values = np.concatenate([self.p_values_, p_new])
        gamma = np.concatenate([self.gamma_, weights])
        selected_at = np.concatenate([self.selected_at_, np.full(n_new, -1, dtype=np.intp)])
        if self.procedure == "online_bh":
            self._online_bh(p_values, gamma, selected_at, p_new, weights, start)
        else:
            self._lond(p_values, gamma, selected_at, start)
        self.p_values_, self.gamma_, self.selected_at_ = p_values, gamma, selected_at
        self.n_seen_ = start + n_new
        self.selected_ = np.flatnonzero(selected_at >= 0)
        return selected_at >= 0

    def _online_bh(self, p_values, gamma, selected_at, p_new, weights, start):
        with np.errstate(divide="ignore"):
            ratios = np.where(gamma > 0, p_values / np.where(gamma > 0, gamma, 1.0), np.inf)
        n_new = p_new.shape[0]
        old_sorted = self._sorted_ratios
        new_ratios = ratios[start:]
        new_sorted = np.sort(new_ratios)
        sorted_ratios = np.insert(
            old_sorted, np.searchsorted(old_sorted, new_sorted, side="right"), new_sorted
        )
        k_old = self.k_star_
        k_new = _online_bh_count(sorted_ratios, self.fdr)
        # k*_t after each arrival of the batch (k* never decreases, so R_{t-1} is kept).
        k_star = np.full(n_new, k_old, dtype=np.int64)
        if k_new > k_old:
            times = _first_arrivals(old_sorted, new_ratios, self.fdr, k_old, k_new)
            reached = times <= n_new
            np.maximum.at(k_star, times[reached] - 1, np.arange(k_old + 1, k_new + 1)[reached])
            k_star = np.maximum.accumulate(k_star)
        # Each unit not yet selected is selected at the first arrival t (not before its
        # own) with p_i / gamma_i <= fdr k*_t.
        limits = self.fdr * k_star
        waiting = np.flatnonzero(selected_at < 0)
        first = np.searchsorted(limits, ratios[waiting], side="left")
        first = np.maximum(first, np.maximum(waiting - start, 0))
        now = first < n_new
        selected_at[waiting[now]] = start + 1 + first[now]
        self._sorted_ratios, self.k_star_ = sorted_ratios, int(k_new)

    def _lond(self, p_values, gamma, selected_at, start):
        n_selected = int((selected_at[:start] >= 0).sum())
        for t in range(start + 1, p_values.shape[0] + 1):
            if p_values[t - 1] <= self.fdr * gamma[t - 1] * (n_selected + 1):
                selected_at[t - 1] = t
                n_selected += 1
        self.k_star_ = n_selected

    def p_values(self, X):
        """Conformal p-values of units against the calibration, without receiving them.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_test, n_features)
            Units (not added to the stream).

        Returns
        -------
        p_values : ndarray of shape (n_test,) or pandas Series
            Their deterministic conformal p-values; a Series indexed like ``X`` when ``X``
            is a DataFrame.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from skselect.conformal import ConformalSelector, OnlineConformalSelector
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(200, 2)), rng.normal(size=200)
        >>> online = OnlineConformalSelector(
        ...     ConformalSelector(LinearRegression(), random_state=0), horizon=10
        ... ).fit(X, y)
        >>> online.p_values(X[:3]).shape, online.n_seen_
        ((3,), 0)
        """
        check_is_fitted(self)
        X = self.selector_._check_test_input(X)
        # Deterministic p-values even for a randomized selector: the uniforms belong to
        # the stream.
        calib_scores, test_scores = self.selector_._scores(self.selector_._rank(X))
        p_values = _pvalues_from_scores(
            calib_scores, test_scores, np.ones(calib_scores.shape[0]), np.ones(X.shape[0])
        )
        return _wrap(p_values, X, "p_value")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.selector)
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags
