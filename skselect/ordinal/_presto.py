"""PRESTOClassifier and PRESTOClassifierCV: the fused boundary weights, fitted at one penalty
or along a cross-validated path (the model and its conventions are in ``_base``)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed

from skselect.ordinal._base import (
    _AUTO_ALPHA_RATIO,
    _SCORERS,
    _BaseCumulativeLogit,
    _checked_cv,
    _class_probabilities,
    _cumulative,
    _repair_crossing,
    _warn_not_converged,
)
from skselect.ordinal._newton_solver import solve_path
from skselect.ordinal._wide_solver import make_problem


class PRESTOClassifier(_BaseCumulativeLogit):
    """Ordinal classifier that shrinks the boundary weights towards proportional odds (PRESTO).

    A cumulative link model with its own weight vector for every boundary between adjacent
    classes, ``P(y <= classes_[k] | x) = sigmoid(intercept_[k] - x @ coef_[k])``, fitted by
    minimising the mean negative log-likelihood plus an L1 penalty on the differences between
    adjacent weight vectors (and, optionally, on the first one), on standardised features. Rare
    classes at the end of the scale borrow strength from the common boundaries: with a large
    penalty all boundaries share one weight vector (proportional odds), with none each is its
    own logistic regression.

    Read more in the :ref:`User Guide <ordinal>`.

    Parameters
    ----------
    alpha : float or "auto", default="auto"
        Penalty level (>= 0). The objective is ``mean NLL + alpha * (first_penalty_factor *
        |b_1|_1 + sum_k |b_k - b_(k-1)|_1)`` on standardised features. ``"auto"`` uses
        ``0.1 * alpha_max``, where ``alpha_max`` is the smallest penalty that fuses every
        penalised coefficient (with the default ``first_penalty_factor=0``, the smallest
        penalty that gives the proportional-odds fit), as glmnet scales its path.
        :class:`PRESTOClassifierCV` picks ``alpha`` by cross-validation.
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The cumulative link: ``P(y <= c_k | x) = F(threshold_k - x @ beta_k)`` with ``F`` the
        logistic, standard normal, Gumbel-minimum ``1 - exp(-exp(t))``, Gumbel-maximum
        ``exp(-exp(-t))`` or Cauchy CDF, as in R's ``ordinal::clm``. See
        :ref:`ordinal_links`.
    l1_ratio : float, default=1.0
        Elastic-net mixing in [0, 1]: each absolute value ``|t|`` in the penalty becomes
        ``l1_ratio * |t| + (1 - l1_ratio) * t**2 / 2``. ``0`` is the authors' "PRESTO_L2".
    first_penalty_factor : float, default=0.0
        Multiplier (>= 0) of the penalty on the first boundary's weights. ``0`` leaves them
        unpenalised, so that a large ``alpha`` gives the proportional-odds fit; ``1`` is the
        authors' choice, whose large-``alpha`` limit is the intercept-only model. With two
        classes there are no differences, so ``0`` gives unpenalised logistic regression.
    standardize : bool, default=True
        Penalise coefficients of features scaled to unit (weighted, population) standard
        deviation; coefficients are reported on the original scale.
    fit_intercept : bool, default=True
        Fit one unpenalised intercept (threshold) per boundary. ``False`` is only allowed for
        two classes (logistic regression without intercept).
    crossing : {"error", "clip", "rearrange"}, default="clip"
        What ``predict_proba`` and ``predict_cumulative_proba`` do with rows whose cumulative
        probabilities are not monotone (possible outside the training data): raise a
        ValueError, clip each to the running maximum of the lower ones, or sort them
        (monotone rearrangement). A warning reports how many rows crossed.
    tol : float, default=1e-8
        Stop when the largest violation of the optimality (KKT) conditions, measured on the
        gradient of the mean log-likelihood with respect to the standardised coefficients, is
        at most ``tol``.
    max_iter : int, default=10000
        Maximum number of proximal Newton iterations.
    warm_start : bool, default=False
        Start from the previous solution of ``fit`` (when the classes and features match).

    Attributes
    ----------
    alpha_ : float
        The penalty level used (``alpha``, or its value when ``alpha="auto"``).
    classes_ : ndarray of shape (n_classes,)
        Class labels in ordinal order: sorted, or the order of a pandas ordered Categorical.
    coef_ : ndarray of shape (n_classes - 1, n_features)
        Weight vector of each boundary on the original feature scale; row ``k`` is the boundary
        between ``classes_[k]`` and ``classes_[k + 1]``. Positive weights push mass towards
        the higher classes (the convention of statsmodels and R); with two classes ``coef_``
        equals :class:`~sklearn.linear_model.LogisticRegression`'s.
    coef_diff_ : ndarray of shape (n_classes - 1, n_features)
        ``coef_[0]`` followed by the differences ``coef_[k] - coef_[k - 1]``.
    intercept_ : ndarray of shape (n_classes - 1,)
        Threshold of each boundary on the original feature scale.
    n_iter_ : int
        Proximal Newton iterations run.
    n_crossings_ : int
        Training rows whose fitted cumulative probabilities cross (0 unless the solver stopped
        on the boundary of the feasible region). Crossings on new data are reported by a
        warning from ``predict_proba``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    PRESTOClassifierCV : Chooses ``alpha`` by cross-validation along a warm-started path.
    ProportionalOddsClassifier : The same likelihood with one weight vector for all boundaries.
    coef_table : The fitted coefficients as a table with named boundaries.
    sklearn.linear_model.LogisticRegression : The two-class special case.

    Notes
    -----
    The fit is a convex problem on the region where the cumulative probabilities of every
    training row are non-decreasing. When the optimum lies on the boundary of that region,
    the solver reaches it by the method of multipliers (an augmented Lagrangian on the
    non-crossing constraints) instead of stopping where a step was first blocked, as
    ordinalNet's step halving does. It is a proximal Newton method:
    each iteration is one pass over the samples (O(n p^2 K)) plus coordinate descent on
    (K - 1)(p + 1) parameters.

    The authors' code (built on ordinalNet) writes the model as ``sigmoid(a_k + b_k @ x)``:
    its weights are ``-coef_`` and its intercepts are ``intercept_``.

    References
    ----------
    .. [1] G. Faletto and J. Bien. "Predicting rare events by shrinking towards proportional
       odds". Proceedings of the 40th International Conference on Machine Learning (ICML),
       PMLR 202:9547-9602, 2023.
    .. [2] M. J. Wurm, P. J. Rathouz and B. M. Hanlon. "Regularized ordinal regression and the
       ordinalNet R package". Journal of Statistical Software 99(6), 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import PRESTOClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(500, 3))
    >>> latent = X @ [2.0, -1.0, 0.0] + rng.logistic(size=500)
    >>> y = np.digitize(latent, [-1.0, 1.0, 2.5])
    >>> clf = PRESTOClassifier().fit(X, y)
    >>> clf.classes_
    array([0, 1, 2, 3])
    >>> clf.coef_.shape
    (3, 3)
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints: dict = {
        **_BaseCumulativeLogit._parameter_constraints,
        **_BaseCumulativeLogit._penalised_constraints,
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        alpha="auto",
        *,
        link="logit",
        l1_ratio=1.0,
        first_penalty_factor=0.0,
        standardize=True,
        fit_intercept=True,
        crossing="clip",
        tol=1e-8,
        max_iter=10000,
        warm_start=False,
    ):
        self.alpha = alpha
        self.link = link
        self.l1_ratio = l1_ratio
        self.first_penalty_factor = first_penalty_factor
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.crossing = crossing
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model at the penalty level ``alpha``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Ordered class labels: sorted order, or a pandas ordered Categorical's order.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights in the mean log-likelihood and the standardisation.

        Returns
        -------
        self : object
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> clf = PRESTOClassifier(alpha=0.01).fit(X, y)
        >>> clf.coef_.shape
        (2, 2)
        """
        X, classes, codes, sample_weight = self._validate_common(X, y, sample_weight)
        problem = self._make_problem(X, codes, len(classes), sample_weight)
        start = None
        if self.alpha == "auto":
            found = problem.alpha_max()
            # Nothing penalised (two classes, first vector unpenalised): the plain likelihood.
            alpha = 0.0 if found is None else _AUTO_ALPHA_RATIO * found[0]
            if found is not None:
                start = found[1]
        else:
            alpha = float(self.alpha)
        if (
            self.warm_start
            and hasattr(self, "_solution")
            and len(getattr(self, "classes_", ())) == len(classes)
            and self._solution.shape[0] == (len(classes) - 1) * (X.shape[1] + 1)
        ):
            start = self._solution
        [(_, u, n_iter, converged)] = solve_path(
            problem, [alpha], start, tol=self.tol, max_iter=self.max_iter
        )
        if not converged:
            _warn_not_converged(self, self.max_iter)
        self._set_fitted(problem, u, X, classes)
        self.alpha_ = alpha
        self.n_iter_ = n_iter
        self.n_crossings_ = self._training_crossings(X)
        return self


# --------------------------------------------------------------------------------------------
# Cross-validated path
# --------------------------------------------------------------------------------------------


def _fold_path(X, codes, sample_weight, train, test, n_classes, alphas, settings):
    """Fit the warm-started path on one training fold; score every alpha on its test fold.

    A training fold may miss a class (rare extremes): the model is then fitted on the classes
    it has, and the missing ones get probability 0 on the test fold.
    """
    present = np.unique(codes[train])
    X_test, y_test, w_test = X[test], codes[test], sample_weight[test]
    scorer = _SCORERS[settings["scoring"]]
    scores = np.empty(len(alphas))
    n_crossed = np.zeros(len(alphas), dtype=np.intp)
    proba = np.zeros((len(test), n_classes))
    if len(present) < 2:
        proba[:, present[0]] = 1.0
        scores[:] = scorer(proba, y_test, w_test)
        return scores, n_crossed
    problem = make_problem(
        X[train],
        np.searchsorted(present, codes[train]),
        len(present),
        sample_weight[train],
        standardize=settings["standardize"],
        fit_intercept=settings["fit_intercept"],
        l1_ratio=settings["l1_ratio"],
        first_penalty_factor=settings["first_penalty_factor"],
        n_threads=settings["n_threads"],
        link=settings["link"],
    )
    # A crossing test row is scored after repair; "error" would abort the whole search, so the
    # path is scored with "clip" in that case (the Brier score stays finite either way).
    rule = "rearrange" if settings["crossing"] == "rearrange" else "clip"
    path = solve_path(problem, alphas, tol=settings["tol"], max_iter=settings["max_iter"])
    for index, (_, u, _, _) in enumerate(path):
        # The solver's weights b are the estimators' -coef_ (see _BaseCumulativeLogit).
        intercept, coef, _ = problem.unstandardize(u)
        cumulative = _cumulative(X_test, intercept, -coef, settings["link"])
        cumulative, n_crossed[index] = _repair_crossing(cumulative, rule, warn=False)
        proba.fill(0.0)
        proba[:, present] = _class_probabilities(cumulative)
        scores[index] = scorer(proba, y_test, w_test)
    return scores, n_crossed


class PRESTOClassifierCV(_BaseCumulativeLogit):
    """PRESTO with the penalty level chosen by cross-validation along a warm-started path.

    The path runs from ``alpha_max``, the smallest penalty that fuses every penalised
    coefficient (with the default ``first_penalty_factor=0``: the proportional-odds fit), down
    to ``alpha_min_ratio * alpha_max`` (nearly separate boundaries), on a geometric grid. Each
    training fold fits the whole path with warm starts and scores every ``alpha`` on its
    held-out fold; ``selection`` picks ``alpha_`` from the mean scores, and the model is
    refitted on all data at ``alpha_``.

    Read more in the :ref:`User Guide <ordinal>`.

    Parameters
    ----------
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The cumulative link, as in :class:`PRESTOClassifier`.
    alphas : int or array-like of float, default=30
        Number of grid points, or the grid itself (values >= 0).
    alpha_min_ratio : float, default=1e-3
        Smallest grid value as a fraction of the largest (when ``alphas`` is an int).
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`sklearn.model_selection.check_cv` (an int gives stratified folds,
        which keep rare extreme classes in every training fold where possible).
    scoring : {"brier", "deviance"}, default="brier"
        Held-out loss per alpha: the multiclass Brier score (the authors' choice, finite even if
        boundaries cross) or twice the mean negative log-likelihood.
    selection : {"min", "1se"}, default="min"
        ``"min"``: the largest alpha attaining the smallest mean held-out loss. ``"1se"``: the
        largest alpha whose mean loss is within one standard error (over folds) of that
        minimum, i.e. the model closest to proportional odds that the data cannot tell apart
        from the best one (glmnet's ``lambda.1se``).
    l1_ratio : float, default=1.0
        Elastic-net mixing, as in :class:`PRESTOClassifier`; used for the grid and every fit.
    first_penalty_factor : float, default=0.0
        Penalty multiplier of the first boundary's weights, as in :class:`PRESTOClassifier`.
        With two classes and ``0`` nothing is penalised: the grid is ``[0.0]`` (logistic
        regression).
    standardize : bool, default=True
        Penalise coefficients of standardised features (standardised within each fold).
    fit_intercept : bool, default=True
        As in :class:`PRESTOClassifier`.
    crossing : {"error", "clip", "rearrange"}, default="clip"
        Crossing rule of the final model's predictions. Held-out folds are scored with
        ``"rearrange"`` if requested, otherwise ``"clip"``.
    tol : float, default=1e-8
        Solver tolerance, as in :class:`PRESTOClassifier`.
    max_iter : int, default=10000
        Maximum Newton iterations per alpha.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (``None`` means 1 unless in a
        :func:`joblib.parallel_config` context). At most one job per fold is started.
    verbose : int, default=0
        Verbosity of the fold fits (passed to joblib) and, when positive, a line with the
        chosen ``alpha_``.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    cv_scores_ : ndarray of shape (n_alphas, n_folds)
        Held-out score of every alpha on every fold.
    alpha_ : float
        The selected penalty level.
    best_index_ : int
        Index of ``alpha_`` in ``alphas_``.
    n_crossings_ : int
        Held-out rows (over all folds) whose cumulative probabilities crossed at ``alpha_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels in ordinal order.
    coef_ : ndarray of shape (n_classes - 1, n_features)
        Weights of the refitted model, original scale, one row per boundary (the convention of
        :class:`PRESTOClassifier`).
    coef_diff_ : ndarray of shape (n_classes - 1, n_features)
        ``coef_[0]`` followed by the adjacent differences.
    intercept_ : ndarray of shape (n_classes - 1,)
        Thresholds of the refitted model.
    n_iter_ : int
        Newton iterations of the refit.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when X has string column names.

    See Also
    --------
    PRESTOClassifier : One penalty level.
    ProportionalOddsClassifier : The ``alpha_max`` end of the path.

    Notes
    -----
    Unlike the authors' code, held-out predictions use the cumulative weights
    ``b_k = psi_1 + ... + psi_k`` of the fitted model, and the grid and the fold fits use the
    requested ``l1_ratio``. The authors penalise the first weight vector too
    (``first_penalty_factor=1``), which makes the large-penalty end of their path the
    intercept-only model rather than proportional odds.

    References
    ----------
    .. [1] G. Faletto and J. Bien. "Predicting rare events by shrinking towards proportional
       odds". ICML 2023, PMLR 202:9547-9602.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.ordinal import PRESTOClassifierCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(400, 3))
    >>> y = np.digitize(X @ [2.0, -1.0, 0.0] + rng.logistic(size=400), [-1.0, 1.0, 2.5])
    >>> clf = PRESTOClassifierCV(alphas=10).fit(X, y)
    >>> clf.cv_scores_.shape
    (10, 5)
    >>> bool(clf.alpha_ in clf.alphas_)
    True
    """

    _parameter_constraints: dict = {
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "alpha_min_ratio": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "scoring": [StrOptions({"brier", "deviance"})],
        "selection": [StrOptions({"min", "1se"})],
        **_BaseCumulativeLogit._parameter_constraints,
        **_BaseCumulativeLogit._penalised_constraints,
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        link="logit",
        alphas=30,
        alpha_min_ratio=1e-3,
        cv=5,
        scoring="brier",
        selection="min",
        l1_ratio=1.0,
        first_penalty_factor=0.0,
        standardize=True,
        fit_intercept=True,
        crossing="clip",
        tol=1e-8,
        max_iter=10000,
        n_jobs=None,
        verbose=0,
    ):
        self.link = link
        self.alphas = alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.l1_ratio = l1_ratio
        self.first_penalty_factor = first_penalty_factor
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.crossing = crossing
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _settings(self):
        return {
            "scoring": self.scoring,
            "standardize": self.standardize,
            "fit_intercept": self.fit_intercept,
            "l1_ratio": self.l1_ratio,
            "first_penalty_factor": self.first_penalty_factor,
            "crossing": self.crossing,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "link": self.link,
        }

    def _grid(self, problem):
        if not isinstance(self.alphas, numbers.Integral):
            alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
            if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
                raise ValueError(
                    "alphas must be a positive int or a non-empty array of finite values >= 0; "
                    f"got {self.alphas!r}."
                )
            return np.sort(alphas)[::-1]
        found = problem.alpha_max()
        if found is None:
            # Two classes with the first vector unpenalised: nothing to tune.
            return np.array([0.0])
        alpha_max = found[0]
        if alpha_max <= 0:
            alpha_max = 1.0  # no signal at all: any grid selects the fused model
        if self.alphas == 1:
            return np.array([alpha_max])
        return np.geomspace(alpha_max, alpha_max * self.alpha_min_ratio, self.alphas)

    def _select(self, cv_scores):
        mean = cv_scores.mean(axis=1)
        # The grid is decreasing, so the first index within the bound is the largest alpha.
        best = int(np.argmin(mean))
        bound = mean[best]
        if self.selection == "1se" and cv_scores.shape[1] > 1:
            bound = bound + cv_scores[best].std(ddof=1) / np.sqrt(cv_scores.shape[1])
        return int(np.flatnonzero(mean <= bound)[0])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose ``alpha`` by cross-validation, then refit on all data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Ordered class labels: sorted order, or a pandas ordered Categorical's order.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights in every fit and in the held-out scores.

        Returns
        -------
        self : object
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skselect.ordinal import PRESTOClassifierCV
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> search = PRESTOClassifierCV(alphas=5, cv=3).fit(X, y)
        >>> search.cv_scores_.shape
        (5, 3)
        """
        X, classes, codes, sample_weight = self._validate_common(X, y, sample_weight)
        settings = self._settings()
        problem = self._make_problem(X, codes, len(classes), sample_weight)
        settings["n_threads"] = problem.n_threads
        alphas = self._grid(problem)
        folds = list(_checked_cv(self.cv, codes).split(X, codes))
        n_jobs = self.n_jobs
        if n_jobs is not None and n_jobs > len(folds):
            n_jobs = len(folds)  # more workers than folds only costs start-up time
        results = Parallel(n_jobs=n_jobs, verbose=self.verbose)(
            delayed(_fold_path)(
                X, codes, sample_weight, train, test, len(classes), alphas, settings
            )
            for train, test in folds
        )
        self.alphas_ = alphas
        self.cv_scores_ = np.column_stack([scores for scores, _ in results])
        crossed = np.column_stack([n for _, n in results]).sum(axis=1)
        best = self._select(self.cv_scores_)
        self.best_index_ = best
        self.alpha_ = float(alphas[best])
        if self.verbose:
            print(
                f"{type(self).__name__}: alpha_={self.alpha_:.4g} "
                f"({best + 1} of {len(alphas)}, selection={self.selection!r})"
            )
        [(_, u, n_iter, converged)] = solve_path(
            problem, [self.alpha_], tol=self.tol, max_iter=self.max_iter
        )
        if not converged:
            _warn_not_converged(self, self.max_iter, what=f" (refit at alpha_={self.alpha_:.3g})")
        self._set_fitted(problem, u, X, classes)
        self.n_iter_ = n_iter
        self.n_crossings_ = int(crossed[best])
        return self


# --------------------------------------------------------------------------------------------
