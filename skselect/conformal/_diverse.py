"""Diverse and budgeted selection: any self-consistent subset of an e-value selection keeps the
FDR guarantee, so the subset can be chosen for diversity or to fit a budget.

For e-values with ``sum_{j null} E[e_j] <= m`` (conformal e-values, the e-values of weighted
conformal selection), a set ``R`` with ``e_j >= m / (q |R|)`` for every ``j`` in ``R``
(self-consistency, Wang and Ramdas, 2022) has, pathwise,
``FDP(R) <= (q / m) sum_{j null} e_j``: its FDR is at most ``q`` whatever rule chose it,
even one that looked at the labels. The sets of size ``s`` that qualify are the ``s``-subsets
of ``E_s = {j: e_j >= m / (q s)}``; the largest ``s`` is e-BH's. Within a budget ``K`` the
largest qualifying size at most ``K`` is kept and the objective picks which units.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from skselect.conformal._pvalues import _as_1d_float, _check_fdr_input

OBJECTIVES = ("size", "groups", "similarity")


def _priority_order(candidates, priority):
    """Candidates from the highest priority to the lowest (stable: ties by position)."""
    return candidates[np.argsort(-priority[candidates], kind="stable")]


def _choose(candidates, size, objective, *, groups=None, similarity=None, priority, context=None):
    """``size`` units out of ``candidates`` (positions) for the objective.

    ``priority`` (one value per unit, larger first) breaks ties; ``similarity`` is a square
    matrix over the candidates (in the order given); ``context`` is passed to a callable
    objective as its second argument.
    """
    ordered = _priority_order(candidates, priority)
    if size >= ordered.shape[0]:
        return ordered
    if size <= 0:
        return ordered[:0]
    if objective == "size":
        return ordered[:size]
    if objective == "groups":
        # Round robin over the groups, each group's list in priority order: a group with
        # the fewest chosen units so far (and units left) gets the next one. This gives
        # the most balanced counts: the smallest count is as large as it can be, then the
        # next smallest, and so on (water filling).
        labels = groups[ordered]
        distinct, inverse = np.unique(labels, return_inverse=True)
        queues = [list(np.flatnonzero(inverse == g)) for g in range(distinct.shape[0])]
        counts = np.zeros(distinct.shape[0], dtype=np.int64)
        chosen = []
        for _ in range(size):
            open_groups = [g for g in range(distinct.shape[0]) if queues[g]]
            # Fewest chosen first; among those, the group whose next unit ranks highest.
            g = min(open_groups, key=lambda g: (counts[g], queues[g][0]))
            chosen.append(queues[g].pop(0))
            counts[g] += 1
        return ordered[np.sort(chosen)]
    if objective == "similarity":
        # Greedy: start from the best unit; add the unit least similar (in total) to those
        # chosen; ties go to the higher priority.
        position = {unit: i for i, unit in enumerate(candidates)}
        rows = np.array([position[unit] for unit in ordered])
        matrix = np.asarray(similarity, dtype=np.float64)[np.ix_(rows, rows)]
        chosen = [0]
        total = matrix[0].copy()
        available = np.ones(ordered.shape[0], dtype=bool)
        available[0] = False
        for _ in range(size - 1):
            score = np.where(available, total, np.inf)
            best = int(np.argmin(score))  # first minimum = highest priority
            chosen.append(best)
            available[best] = False
            total += matrix[best]
        return ordered[np.sort(chosen)]
    # A callable objective(indices[, context]) -> float: greedy maximisation.
    chosen = []
    available = list(range(ordered.shape[0]))
    for _ in range(size):
        values = []
        for i in available:
            trial = ordered[np.sort(chosen + [i])]
            value = objective(trial) if context is None else objective(trial, context)
            value = float(value)
            if np.isnan(value):
                raise ValueError("objective returned NaN; it must return a number for every set.")
            values.append(value)
        best = available[int(np.argmax(values))]  # first maximum = highest priority
        chosen.append(best)
        available.remove(best)
    return ordered[np.sort(chosen)]


def _check_objective_inputs(objective, n_units, groups, similarity, similarity_name):
    if objective == "groups":
        if groups is None:
            raise ValueError("objective='groups' needs groups, one group label per unit.")
        groups = np.asarray(groups)
        if groups.shape != (n_units,):
            raise ValueError(
                f"groups must have one label per unit: expected shape ({n_units},), got "
                f"{groups.shape}."
            )
        if groups.dtype.kind == "f" and np.isnan(groups).any():
            raise ValueError("groups contains NaN; give every unit a group label.")
    if objective == "similarity":
        if similarity is None:
            raise ValueError(
                f"objective='similarity' needs {similarity_name}: a similarity matrix "
                "between the units."
            )
    return groups


@validate_params(
    {
        "e_values": ["array-like"],
        "fdr": [Interval(Real, 0, 1, closed="right")],
        "objective": [StrOptions(set(OBJECTIVES)), callable],
        "budget": [Interval(Integral, 0, None, closed="left"), None],
        "groups": ["array-like", None],
        "similarity": ["array-like", None],
        "priority": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def self_consistent_subset(
    e_values,
    fdr,
    objective="size",
    budget=None,
    *,
    groups=None,
    similarity=None,
    priority=None,
):
    """Choose a subset of an e-value selection, for diversity or a budget, keeping FDR control.

    For e-values whose null expectations sum to at most ``m`` (conformal e-values, or the
    e-values of weighted conformal selection in ``selection_report``), any set ``R`` with
    ``e_j >= m / (fdr |R|)`` for all ``j`` in ``R`` has FDR at most ``fdr``, whatever rule
    picked it (Wang and Ramdas, 2022): the objective may even look at data the e-values do
    not. The returned set has the largest such size that fits the budget (e-BH's size
    without budget), and among the sets of that size it is chosen by ``objective``.

    Parameters
    ----------
    e_values : array-like of shape (m,)
        Non-negative e-values (``+inf`` allowed).
    fdr : float in (0, 1]
        Target false discovery rate ``q``.
    objective : {"size", "groups", "similarity"} or callable, default="size"
        Which units to keep when more qualify than the size allows:

        - ``"size"``: the highest ``priority`` (e-BH's set when no budget binds);
        - ``"groups"``: the most balanced counts over ``groups`` (the smallest group count
          as large as possible, then the next; exact, by round robin);
        - ``"similarity"``: the least similar units by ``similarity`` (greedy: each added
          unit has the smallest total similarity to those already chosen);
        - a callable ``objective(indices) -> float`` to maximise (greedy, one unit at a
          time).
    budget : int, default=None
        Largest number of units to keep. None means no limit.
    groups : array-like of shape (m,), default=None
        Group labels, for ``objective="groups"``.
    similarity : array-like of shape (m, m), default=None
        Similarities between the units, for ``objective="similarity"``.
    priority : array-like of shape (m,), default=None
        Tie-breaks, larger first (for instance the model's ranking). Defaults to the
        e-values, then the order of the units.

    Returns
    -------
    selected : ndarray of bool of shape (m,)
        The chosen units.

    See Also
    --------
    ebh : The largest self-consistent set.
    ConformalSelector.select_diverse : The same for a fitted selector, with a budget below
        the smallest self-consistent size handled by a stopping time.

    Notes
    -----
    Sizes: the qualifying sets of size ``s`` are the ``s``-subsets of
    ``E_s = {j: e_j >= m / (fdr s)}``; ``s`` qualifies when ``|E_s| >= s``. With the e-values
    of conformal selection (all equal on the selected set ``C``) every size from
    ``ceil(m / (fdr e))`` to ``|C|`` qualifies. Cost: ``O(m log m)`` for ``"size"`` and
    ``"groups"``, ``O(m s)`` for ``"similarity"`` and ``O(m s)`` calls of a callable
    objective.

    References
    ----------
    .. [1] R. Wang and A. Ramdas, "False discovery rate control with e-values", Journal of
       the Royal Statistical Society Series B 84(3), 2022.
    .. [2] Y. Nair, Y. Jin, J. Yang and E. J. Candès, "Diversifying conformal selections",
       arXiv:2506.16229, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from skselect.conformal import self_consistent_subset
    >>> e_values = np.array([50.0, 50.0, 50.0, 50.0, 0.0, 0.0])
    >>> groups = np.array(["a", "a", "a", "b", "b", "a"])
    >>> self_consistent_subset(e_values, 0.1, "groups", budget=2, groups=groups)
    array([ True, False, False,  True, False, False])
    """
    e_values = _check_fdr_input(e_values, "e_values", allow_infinite=True)
    n_units = e_values.shape[0]
    groups = _check_objective_inputs(objective, n_units, groups, similarity, "similarity")
    if objective == "similarity":
        similarity = np.asarray(similarity, dtype=np.float64)
        if similarity.shape != (n_units, n_units) or not np.isfinite(similarity).all():
            raise ValueError(
                f"similarity must be a finite ({n_units}, {n_units}) matrix, got shape "
                f"{similarity.shape}."
            )
    if priority is None:
        priority_values = e_values
    else:
        priority_values = _as_1d_float(priority, "priority", allow_infinite=True)
        if priority_values.shape != (n_units,):
            raise ValueError(
                f"priority must have one value per unit: expected ({n_units},), got "
                f"{priority_values.shape}."
            )
    selected = np.zeros(n_units, dtype=bool)
    if n_units == 0:
        return selected
    largest = n_units if budget is None else min(budget, n_units)
    ranks = np.arange(1, n_units + 1)
    # s qualifies when the s-th largest e-value is at least m / (fdr s) (as in ebh).
    qualifies = -np.sort(-e_values) >= n_units / (fdr * ranks)
    sizes = np.flatnonzero(qualifies[:largest]) + 1
    if sizes.size == 0:
        return selected
    size = int(sizes[-1])
    candidates = np.flatnonzero(e_values >= n_units / (fdr * size))
    if objective == "similarity":
        similarity = similarity[np.ix_(candidates, candidates)]
    chosen = _choose(
        candidates,
        size,
        objective,
        groups=groups,
        similarity=similarity,
        priority=priority_values,
    )
    selected[chosen] = True
    return selected


def _similarity_matrix(similarity, X, candidates, n_units):
    """The similarity between the candidate rows of X: "rbf", "tanimoto", a callable on those
    rows, or the candidates' block of an (m, m) matrix."""
    from sklearn.metrics.pairwise import rbf_kernel
    from sklearn.utils._indexing import _safe_indexing

    if isinstance(similarity, str) or callable(similarity):
        rows = _safe_indexing(X, candidates)
        if similarity == "rbf":
            return rbf_kernel(np.asarray(rows, dtype=np.float64))
        if similarity == "tanimoto":
            rows = np.asarray(rows, dtype=np.float64)
            if (rows < 0).any():
                raise ValueError(
                    "similarity='tanimoto' needs non-negative features (fingerprint bits or "
                    "counts), got negative values."
                )
            dot = rows @ rows.T
            norms = np.diag(dot)
            union = norms[:, None] + norms[None, :] - dot
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(union > 0, dot / np.where(union > 0, union, 1.0), 1.0)
        matrix = np.asarray(similarity(rows), dtype=np.float64)
        size = len(candidates)
        if matrix.shape != (size, size) or not np.isfinite(matrix).all():
            raise ValueError(
                f"similarity(X) must return a finite ({size}, {size}) matrix for {size} "
                f"units, got shape {matrix.shape}."
            )
        return matrix
    matrix = np.asarray(similarity, dtype=np.float64)
    if matrix.shape != (n_units, n_units) or not np.isfinite(matrix).all():
        raise ValueError(
            "similarity must be 'rbf', 'tanimoto', a callable or a finite (n_test, n_test) "
            f"matrix with n_test={n_units}; got an array of shape {matrix.shape}."
        )
    return matrix[np.ix_(candidates, candidates)]
