"""SelectionDisplay: the picture of one conformal selection."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np


def _check_matplotlib(caller):
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib, an optional dependency: pip install matplotlib."
        ) from exc


class SelectionDisplay:
    """Conformal selection visualization: p-values, the BH line and the selected units.

    The left panel plots every test unit's p-value (log scale) against the model's
    prediction, selected units highlighted and each unit's p-value cut-off marked; the
    right panel plots the sorted p-values against their rank with the Benjamini-Hochberg line
    ``fdr * k / m``: BH selects every unit up to the last crossing below the line.

    Create it with :meth:`from_estimator`; matplotlib is needed only to draw.

    Parameters
    ----------
    p_values : ndarray of shape (n_test,)
        Conformal p-values of the test units.
    selected : ndarray of bool of shape (n_test,)
        Which units were selected.
    fdr : float
        Target false discovery rate of the selection.
    predictions : ndarray of shape (n_test,), default=None
        The ranking model's prediction for every unit; None draws the rank panel only.
    p_value_cutoff : ndarray of shape (n_test,), default=None
        Each unit's p-value cut-off (constant for BH).
    estimator_name : str, default=None
        Name used in the titles.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        The panels drawn: (predictions, rank) or (rank,).
    figure_ : matplotlib Figure
        Figure holding the panels.

    See Also
    --------
    ConformalSelector.selection_report : The same numbers as a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skselect.conformal import ConformalSelector, SelectionDisplay
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = X[:, 0] + rng.normal(size=300)
    >>> selector = ConformalSelector(LinearRegression(), threshold=1.0, fdr=0.2,
    ...                              random_state=0).fit(X, y)
    >>> display = SelectionDisplay.from_estimator(selector, X[:60])  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        p_values,
        selected,
        fdr,
        predictions=None,
        p_value_cutoff=None,
        estimator_name=None,
    ):
        self.p_values = np.asarray(p_values, dtype=np.float64)
        self.selected = np.asarray(selected, dtype=bool)
        self.fdr = fdr
        self.predictions = predictions
        self.p_value_cutoff = p_value_cutoff
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, selector, X, *, ax=None, name=None):
        """Select from ``X`` with a fitted selector and plot the result.

        Parameters
        ----------
        selector : ConformalSelector or OptCSSelector
            A fitted selector; it is not modified.
        X : {array-like, sparse matrix, DataFrame} of shape (n_test, n_features)
            The test batch.
        ax : matplotlib Axes or sequence of two Axes, default=None
            Where to draw: two Axes for both panels, one for the rank panel only; None
            creates a figure with both.
        name : str, default=None
            Name used in the titles; the class name of the selector's model by default.

        Returns
        -------
        display : SelectionDisplay
            The display, with the drawn ``axes_`` and ``figure_``.

        Examples
        --------
        >>> from skselect.conformal import SelectionDisplay
        >>> display = SelectionDisplay.from_estimator(selector, X_test)  # doctest: +SKIP
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        _, result = selector._selection_result(X)
        if name is None:
            inner = getattr(selector, "estimator", None)
            name = type(inner).__name__ if inner is not None else type(selector).__name__
        display = cls(
            p_values=result.p_value,
            selected=result.selected,
            fdr=result.fdr,
            predictions=result.prediction,
            p_value_cutoff=result.p_value_cutoff,
            estimator_name=name,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the panels.

        Parameters
        ----------
        ax : matplotlib Axes or sequence of two Axes, default=None
            Where to draw: two Axes for both panels, one for the rank panel only; None
            creates a figure (both panels when ``predictions`` is known).

        Returns
        -------
        display : SelectionDisplay
            ``self``, with ``axes_`` and ``figure_`` set.

        Examples
        --------
        >>> display.plot()  # doctest: +SKIP
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        with_predictions = self.predictions is not None
        if ax is None:
            n_panels = 2 if with_predictions else 1
            figure, axes = plt.subplots(1, n_panels, figsize=(5.5 * n_panels, 4.2))
            axes = np.atleast_1d(axes)
        else:
            axes = np.atleast_1d(np.asarray(ax, dtype=object))
            figure = axes[0].figure
            with_predictions = with_predictions and axes.shape[0] == 2
        m = self.p_values.shape[0]
        selected, kept = self.selected, ~self.selected
        suffix = f" ({self.estimator_name})" if self.estimator_name else ""
        if with_predictions:
            left = axes[0]
            predictions = np.asarray(self.predictions, dtype=np.float64)
            left.scatter(
                predictions[kept], self.p_values[kept], s=14, c="0.6", label="not selected"
            )
            left.scatter(
                predictions[selected], self.p_values[selected], s=18, c="C3", label="selected"
            )
            if self.p_value_cutoff is not None:
                cutoff = np.asarray(self.p_value_cutoff, dtype=np.float64)
                if np.ptp(cutoff) == 0 and m:
                    if cutoff[0] > 0:
                        left.axhline(cutoff[0], color="C0", ls="--", label="BH cut-off")
                else:
                    left.scatter(
                        predictions, cutoff, marker="_", c="C0", s=30, label="unit's cut-off"
                    )
            left.set(
                yscale="log",
                xlabel="prediction",
                ylabel="conformal p-value",
                title=f"p-value against prediction{suffix}",
            )
            left.legend(loc="lower left", fontsize="small")
        right = axes[-1]
        order = np.argsort(self.p_values, kind="stable")
        ranks = np.arange(1, m + 1)
        colours = np.where(selected[order], "C3", "0.6")
        right.scatter(ranks, self.p_values[order], s=14, c=colours)
        right.plot(
            ranks,
            self.fdr * ranks / max(m, 1),
            color="C0",
            label=f"BH line q k / m (q = {self.fdr:g})",
        )
        right.set(
            yscale="log",
            xlabel="rank k of the p-value",
            ylabel="sorted p-value",
            title=f"{int(selected.sum())} of {m} units selected{suffix}",
        )
        right.legend(loc="lower right", fontsize="small")
        figure.tight_layout()
        self.axes_ = axes
        self.figure_ = figure
        return self
