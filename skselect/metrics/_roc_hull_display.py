"""A matplotlib display of ROC points and their convex hull, in scikit-learn's Display style."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.metrics import roc_curve
from sklearn.utils.validation import check_array, check_is_fitted

from skselect.metrics._roc_hull import roc_convex_hull


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "RocConvexHullDisplay needs matplotlib, an optional dependency of skselect: "
            "pip install matplotlib"
        ) from exc
    return plt


class RocConvexHullDisplay:
    """ROC points of one or several classifiers, and their ROC convex hull.

    The hull marks the classifiers that are best for some class distribution and
    misclassification costs; points below it never are. The SMOTE paper compares
    over-sampling recipes this way: one ROC point per under-sampling level, one curve per
    recipe, and the hull of all of them.

    Create it with :meth:`from_estimator`, :meth:`from_predictions` (the ROC curve of one
    scoring classifier and its hull) or :meth:`from_rates` (given ROC points, for instance one
    per resampling level, optionally grouped), rather than directly. Matplotlib is imported only
    when the display is plotted.

    Read more in the :ref:`User Guide <over_sampling>`.

    Parameters
    ----------
    fpr : ndarray of shape (n_points,)
        False positive rates of the ROC points.

    tpr : ndarray of shape (n_points,)
        True positive rates of the ROC points.

    hull : ROCConvexHull
        The hull of the points, as returned by :func:`~skselect.metrics.roc_convex_hull`.

    groups : ndarray of shape (n_points,), default=None
        Group (curve) of each point, e.g. the recipe that produced it. None: one curve.

    name : str, default=None
        Name of the single curve when ``groups`` is None, used in the legend.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    lines_ : dict of matplotlib Line2D
        One line per group (per curve), keyed by the group's label.

    hull_line_ : matplotlib Line2D
        The convex hull.

    See Also
    --------
    skselect.metrics.roc_convex_hull : The hull itself, with its area.
    sklearn.metrics.RocCurveDisplay : The ROC curve of one classifier.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skselect.datasets import load_pima
    >>> from skselect.metrics import RocConvexHullDisplay
    >>> X, y = load_pima(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000).fit(X[::2], y[::2])
    >>> display = RocConvexHullDisplay.from_estimator(model, X[1::2], y[1::2])
    >>> round(display.hull.auc, 3) >= 0.8
    True
    """

    def __init__(self, *, fpr, tpr, hull, groups=None, name=None):
        self.fpr = fpr
        self.tpr = tpr
        self.hull = hull
        self.groups = groups
        self.name = name

    def plot(self, ax=None, *, hull_label="ROC convex hull", chance_level=True, **kwargs):
        """Draw the ROC points (one line per group) and the convex hull.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure and axes.

        hull_label : str, default="ROC convex hull"
            Legend label of the hull; its area is appended.

        chance_level : bool, default=True
            Whether to draw the diagonal of random guessing.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for every group's line.

        Returns
        -------
        display : RocConvexHullDisplay
            The display, with ``ax_``, ``figure_``, ``lines_`` and ``hull_line_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from skselect.metrics import RocConvexHullDisplay, roc_convex_hull
        >>> fpr, tpr = [0.1, 0.3, 0.6], [0.5, 0.6, 0.9]
        >>> display = RocConvexHullDisplay(fpr=fpr, tpr=tpr, hull=roc_convex_hull(fpr, tpr))
        >>> fig, ax = plt.subplots()
        >>> display.plot(ax=ax, chance_level=False).hull_line_.get_xdata().tolist()
        [0.0, 0.1, 0.6, 1.0]
        """
        plt = _import_pyplot()
        if ax is None:
            _, ax = plt.subplots()
        fpr, tpr = np.asarray(self.fpr), np.asarray(self.tpr)
        if self.groups is None:
            groups = np.zeros(fpr.shape[0], dtype=int)
            labels = {0: self.name if self.name is not None else "ROC points"}
        else:
            groups = np.asarray(self.groups)
            labels = {group: str(group) for group in dict.fromkeys(groups.tolist())}
        self.lines_ = {}
        line_kwargs = {"marker": "o", "markersize": 3, "linewidth": 1, **kwargs}
        for group, label in labels.items():
            members = groups == group
            order = np.lexsort((tpr[members], fpr[members]))
            (self.lines_[label],) = ax.plot(
                fpr[members][order], tpr[members][order], label=label, **line_kwargs
            )
        (self.hull_line_,) = ax.plot(
            self.hull.fpr,
            self.hull.tpr,
            color="black",
            linewidth=1.5,
            label=f"{hull_label} (area {self.hull.auc:.3f})",
        )
        if chance_level:
            ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="chance")
        ax.set(
            xlabel="False positive rate",
            ylabel="True positive rate",
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
            aspect="equal",
        )
        ax.legend(loc="lower right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_rates(cls, fpr, tpr, *, groups=None, name=None, ax=None, **kwargs):
        """Plot given ROC points, optionally grouped into curves, and their joint hull.

        Parameters
        ----------
        fpr : array-like of shape (n_points,)
            False positive rates, in [0, 1].

        tpr : array-like of shape (n_points,)
            True positive rates, in [0, 1].

        groups : array-like of shape (n_points,), default=None
            Group of each point (for instance the recipe that produced it): one line per group.

        name : str, default=None
            Legend label of the points when ``groups`` is None.

        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure and axes.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : RocConvexHullDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skselect.metrics import RocConvexHullDisplay
        >>> display = RocConvexHullDisplay.from_rates(
        ...     [0.1, 0.3, 0.2, 0.5], [0.5, 0.7, 0.7, 0.8], groups=["a", "a", "b", "b"]
        ... )
        >>> list(display.lines_), round(display.hull.auc, 3)
        (['a', 'b'], 0.765)
        """
        hull = roc_convex_hull(fpr, tpr)
        fpr, tpr = np.asarray(fpr, dtype=np.float64), np.asarray(tpr, dtype=np.float64)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.shape != fpr.shape:
                raise ValueError(
                    f"groups must have one entry per ROC point ({fpr.shape[0]}), "
                    f"got shape {groups.shape}."
                )
        display = cls(fpr=fpr, tpr=tpr, hull=hull, groups=groups, name=name)
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_predictions(
        cls, y_true, y_score, *, pos_label=None, sample_weight=None, name=None, ax=None, **kwargs
    ):
        """Plot the ROC curve of one classifier's scores and its convex hull.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True binary labels.

        y_score : array-like of shape (n_samples,)
            Scores of the positive class (probabilities or decision values).

        pos_label : int, float, bool or str, default=None
            The positive class, as in :func:`sklearn.metrics.roc_curve`.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        name : str, default=None
            Legend label of the ROC curve.

        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure and axes.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : RocConvexHullDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skselect.metrics import RocConvexHullDisplay
        >>> y_true, y_score = [0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.7]
        >>> display = RocConvexHullDisplay.from_predictions(y_true, y_score)
        >>> round(display.hull.auc, 3)
        0.944
        """
        y_score = check_array(y_score, ensure_2d=False, dtype="numeric", input_name="y_score")
        if np.unique(np.asarray(y_true)).size < 2:
            # roc_curve only warns and returns NaN rates: one of the two axes has no cases.
            raise ValueError(
                "y_true must contain both a positive and a negative class to draw a ROC "
                f"curve; got only {np.unique(np.asarray(y_true)).tolist()!r}."
            )
        fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=pos_label, sample_weight=sample_weight)
        return cls.from_rates(fpr, tpr, name=name or "ROC curve", ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        response_method="auto",
        pos_label=None,
        sample_weight=None,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Plot the ROC curve of a fitted binary classifier on ``X, y`` and its convex hull.

        Parameters
        ----------
        estimator : estimator instance
            A fitted binary classifier, or a pipeline ending in one.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input values.

        y : array-like of shape (n_samples,)
            True binary labels.

        response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
            Which scores to use; "auto" tries ``predict_proba`` then ``decision_function``.

        pos_label : int, float, bool or str, default=None
            The positive class; None means the estimator's second class, ``classes_[1]``.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        name : str, default=None
            Legend label; None uses the estimator's class name.

        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure and axes.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : RocConvexHullDisplay
            The display, plotted.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skselect.metrics import RocConvexHullDisplay
        >>> X, y = [[0.1], [0.4], [0.35], [0.8], [0.2], [0.7]], [0, 0, 1, 1, 0, 1]
        >>> model = LogisticRegression().fit(X, y)
        >>> RocConvexHullDisplay.from_estimator(model, X, y).hull.tpr.tolist()
        [0.0, 0.6666666666666666, 1.0, 1.0]
        """
        allowed = ("auto", "predict_proba", "decision_function")
        if response_method not in allowed:
            raise ValueError(f"response_method must be one of {allowed}, got {response_method!r}.")
        check_is_fitted(estimator)
        classes = getattr(estimator, "classes_", None)
        if classes is None or len(classes) != 2:
            raise ValueError(
                "estimator must be a fitted binary classifier with two classes_, got "
                f"classes_={classes!r}."
            )
        if pos_label is None:
            pos_label = classes[1]
        elif pos_label not in list(classes):
            raise ValueError(
                f"pos_label={pos_label!r} is not one of the estimator's classes {list(classes)}."
            )
        methods = ["predict_proba", "decision_function"]
        if response_method != "auto":
            methods = [response_method]
        method = next((m for m in methods if hasattr(estimator, m)), None)
        if method is None:
            raise ValueError(
                f"estimator {type(estimator).__name__} has none of the methods {methods}."
            )
        scores = getattr(estimator, method)(X)
        if method == "predict_proba":
            scores = scores[:, list(classes).index(pos_label)]
        elif pos_label == classes[0]:
            scores = -scores  # decision_function scores classes_[1]
        return cls.from_predictions(
            y,
            scores,
            pos_label=pos_label,
            sample_weight=sample_weight,
            name=name or type(estimator).__name__,
            ax=ax,
            **kwargs,
        )
