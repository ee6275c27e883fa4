"""Plot of the boundary coefficients of a fitted cumulative model."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.validation import check_is_fitted


class BoundaryCoefficientDisplay:
    """Weights of every feature at every boundary, one line per feature.

    A flat line is a feature whose effect is the same at every boundary (proportional odds for
    that feature); a line that bends at the last boundary is a feature that acts differently on
    the rare top class. Create it with :meth:`from_estimator`; matplotlib is imported only when
    plotting.

    Read more in the :ref:`User Guide <ordinal>`.

    Parameters
    ----------
    coef : ndarray of shape (n_features, n_boundaries)
        Weight of each feature at each boundary (statsmodels' and R's sign convention).
    feature_names : list of str
        One name per row of ``coef``.
    boundary_names : list of str
        One name per column of ``coef``, such as ``"<= 5 | > 5"``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.
    lines_ : list of matplotlib Line2D
        One line per feature.

    See Also
    --------
    coef_table : The same numbers as a table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skselect.ordinal import BoundaryCoefficientDisplay, PRESTOClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
    >>> display = BoundaryCoefficientDisplay.from_estimator(PRESTOClassifier().fit(X, y))
    >>> len(display.lines_)
    2
    """

    def __init__(self, coef, feature_names, boundary_names):
        self.coef = coef
        self.feature_names = feature_names
        self.boundary_names = boundary_names

    @classmethod
    def from_estimator(cls, estimator, *, feature_names=None, features=None, ax=None):
        """Plot the boundary weights of a fitted PRESTO or proportional-odds model.

        Parameters
        ----------
        estimator : PRESTOClassifier, PRESTOClassifierCV or ProportionalOddsClassifier
            A fitted model.
        feature_names : array-like of str, default=None
            Names of all features; defaults to ``feature_names_in_`` or ``x0, x1, ...``.
        features : array-like of str or int, default=None
            The features to draw (names or column indices); all by default.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : BoundaryCoefficientDisplay
            The display, with the plot drawn.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skselect.ordinal import BoundaryCoefficientDisplay, PRESTOClassifier
        >>> rng = np.random.default_rng(0)
        >>> X = rng.uniform(-1, 1, size=(300, 2))
        >>> y = np.digitize(X @ [2.0, -1.0] + rng.logistic(size=300), [-1.0, 1.0])
        >>> model = PRESTOClassifier().fit(X, y)
        >>> display = BoundaryCoefficientDisplay.from_estimator(model, features=["x1"])
        >>> display.boundary_names
        ['<= 0 | > 0', '<= 1 | > 1']
        """
        from skselect.ordinal._inspection import coef_table

        check_is_fitted(estimator)
        table = coef_table(estimator, feature_names=feature_names).drop(index="threshold")
        if features is not None:
            rows = []
            for feature in features:
                if isinstance(feature, (int, np.integer)):
                    if not 0 <= feature < len(table):
                        raise ValueError(
                            f"features holds the column index {feature}; the model has "
                            f"{len(table)} features (indices 0 to {len(table) - 1})."
                        )
                    rows.append(table.index[feature])
                elif feature in table.index:
                    rows.append(feature)
                else:
                    raise ValueError(
                        f"features holds {feature!r}, which is not a feature name; the names "
                        f"are {table.index.tolist()!r}."
                    )
            table = table.loc[rows]
        display = cls(
            coef=table.to_numpy(),
            feature_names=[str(name) for name in table.index],
            boundary_names=[str(name) for name in table.columns],
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the lines.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : BoundaryCoefficientDisplay
            Self, with ``ax_``, ``figure_`` and ``lines_`` set.

        Examples
        --------
        >>> display.plot()  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        positions = np.arange(len(self.boundary_names))
        self.lines_ = [
            ax.plot(positions, row, marker="o", label=name)[0]
            for row, name in zip(self.coef, self.feature_names)
        ]
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set_xticks(positions)
        ax.set_xticklabels(self.boundary_names)
        ax.set_xlabel("boundary")
        ax.set_ylabel("weight (log-odds of the upper side per unit)")
        ax.legend(fontsize="small", loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
