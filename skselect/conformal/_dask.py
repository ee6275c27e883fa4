"""Conformal selection of test points held in a Dask array.

The calibration scores (``n`` of them, usually 10^3 - 10^5) stay in memory and travel with
every task; the test points never leave their blocks:

* predictions and p-values are computed block by block, each p-value exactly as the in-memory
  path computes it (a test unit's p-value depends only on its own score and the calibration
  scores);
* the Benjamini-Hochberg cut-off needs the sorted p-values only through
  ``#{j: p_j <= t}``. Each block reports the distinct p-values at or below ``fdr`` with their
  counts (unweighted deterministic p-values take at most ``n + 1`` values, so this is at most
  ``n + 1`` pairs per block), the client adds them up and applies the step-up rule exactly;
* the selection ``p_j <= fdr * k / m`` is returned as a lazy Dask array.

Randomized p-values draw one uniform per test unit from one generator, in test order; the
client replays that stream once, recording the generator state at each block boundary, and
every block draws its own uniforms from its recorded state, so the p-values (and the
selection) are the in-memory ones whatever the chunking.

Weighted conformal selection (``method="wcs"``) and OptCS compute, for every test unit, an
auxiliary BH set over all the test units, so their selection is not a function of per-block
counts. OptCS with ``mode="ms"`` therefore gathers the ``K`` rankings of every test unit
(``8 K`` bytes each, within the gather budget) and selects on the client; the full modes
gather the test points themselves (they refit every model ``n + m`` times anyway); ``"wcs"``
raises a ValueError.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skselect.utils._dask import (
    GATHER_CONFIG_KEY,
    import_dask,
    max_gather_bytes,
    register_dask_implementation,
)

# p-values above fdr are never selected, but fdr * k / m can round a hair above fdr when
# k = m; keep a margin so that the client applies the exact rule to every candidate.
_CANDIDATE_MARGIN = 1.0 + 1e-9


def _check_dask_array(selector, X):
    import dask.array as da

    if hasattr(X, "to_dask_array"):
        raise TypeError(
            f"{type(selector).__name__}.select takes a Dask array of test points; convert a "
            "Dask DataFrame with X.to_dask_array(lengths=True)."
        )
    if not isinstance(X, da.Array) or X.ndim != 2:
        raise ValueError(
            f"X must be a 2-D Dask array of test points, got {type(X).__name__} with "
            f"{getattr(X, 'ndim', '?')} dimension(s)."
        )
    if X.shape[1] != selector.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(selector).__name__} is expecting "
            f"{selector.n_features_in_} features as input."
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()
    return X.rechunk({1: -1})


def _check_selector(selector):
    from skselect.conformal._selector import _check_unchanged

    check_is_fitted(selector)
    selector._validate_params()
    _check_unchanged(selector, selector._calibrated_with, selector._calibration_settings())


def _block_test_scores(selector, X_block):
    """The test scores of one block, as ConformalSelector computes them in memory."""
    from skselect.conformal._selector import _ranking, _validate_features

    X_block = _validate_features(selector, X_block, reset=False, estimator=selector.estimator_)
    test_scores = -_ranking(selector.estimator_, X_block)
    if selector.score == "residual":
        test_scores = test_scores + selector.threshold
    return test_scores


def _block_p_values(X_block, selector, state):
    from skselect.conformal._pvalues import conformal_pvalues

    rng = None
    if state is not None:
        rng = np.random.RandomState()
        rng.set_state(state)
    return conformal_pvalues(
        selector.calib_scores_,
        _block_test_scores(selector, X_block),
        randomized=selector.randomized,
        random_state=rng,
    )


def _uniform_states(random_state, sizes):
    """Generator states at the start of each block of one ``uniform(size=sum(sizes))``."""
    from skselect.conformal._pvalues import _check_random_state

    rng = _check_random_state(random_state)
    states = []
    for size in sizes:
        states.append(rng.get_state())
        rng.uniform(size=size)
    return states


def _lazy_p_values(selector, X):
    import dask
    import dask.array as da

    sizes = X.chunks[0]
    states = (
        _uniform_states(selector.random_state, sizes)
        if selector.randomized
        else [None] * len(sizes)
    )
    selector_ref = dask.delayed(selector, pure=True)
    blocks = [
        da.from_delayed(
            dask.delayed(_block_p_values, pure=True)(part, selector_ref, state),
            shape=(size,),
            dtype=np.float64,
        )
        for part, size, state in zip(X.to_delayed().ravel(), sizes, states, strict=True)
    ]
    if not blocks:
        return da.zeros((0,), dtype=np.float64, chunks=((0,),))
    return da.concatenate(blocks)


def _candidate_counts(p_block, cutoff):
    values, counts = np.unique(p_block[p_block <= cutoff], return_counts=True)
    return values, counts


def _bh_cutoff(p_values, fdr):
    """Exact BH count ``k`` from per-block counts of the distinct candidate p-values."""
    import dask

    n_tests = p_values.shape[0]
    if n_tests == 0:
        return 0
    cutoff = fdr * _CANDIDATE_MARGIN
    parts = dask.compute(
        *[
            dask.delayed(_candidate_counts, pure=True)(block, cutoff)
            for block in p_values.to_delayed().ravel()
        ]
    )
    values = np.concatenate([v for v, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    if values.size == 0:
        return 0
    distinct, where = np.unique(values, return_inverse=True)
    cumulative = np.cumsum(np.bincount(where, weights=counts, minlength=distinct.size))
    # The in-memory rule: the largest k with p_(k) <= fdr * k / m. The threshold grows with
    # k, so within a run of equal p-values the last position is the one to test.
    count = 0
    for value, k in zip(distinct, cumulative.astype(np.int64), strict=True):
        if value <= fdr * int(k) / n_tests:
            count = int(k)
    return count


def conformal_pvalues_dask(calib_scores, test_scores, **kwargs):
    """conformal_pvalues with a Dask array of test scores: block by block, lazily."""
    import_dask()
    import dask.array as da

    from skselect.conformal._pvalues import _check_random_state, conformal_pvalues

    if test_scores.ndim != 1:
        raise ValueError(
            f"test_scores must be one-dimensional, got an array of shape {test_scores.shape}."
        )
    weights = kwargs.pop("test_weights", None)
    calib_weights = kwargs.get("calib_weights")
    if (calib_weights is None) != (weights is None):
        raise ValueError(
            "calib_weights and test_weights must be given together (weighted p-values) or "
            "both left to None (unit weights)."
        )
    if weights is not None and not isinstance(weights, da.Array):
        weights = da.from_array(np.asarray(weights), chunks=test_scores.chunks)
    if weights is not None:
        weights = weights.rechunk(test_scores.chunks)
    # validate the calibration side once, eagerly, as the in-memory function does
    conformal_pvalues(
        calib_scores,
        np.zeros(0),
        calib_weights=calib_weights,
        test_weights=None if calib_weights is None else np.zeros(0),
    )
    randomized = kwargs.get("randomized", False)
    sizes = test_scores.chunks[0]
    if randomized:
        rng = _check_random_state(kwargs.get("random_state"))
        states = []
        for size in sizes:
            states.append(rng.get_state())
            rng.uniform(size=size)
    else:
        states = [None] * len(sizes)

    def block(scores, state, block_weights=None):
        rng = None
        if state is not None:
            rng = np.random.RandomState()
            rng.set_state(state)
        return conformal_pvalues(
            calib_scores,
            scores,
            calib_weights=calib_weights,
            test_weights=block_weights,
            randomized=randomized,
            random_state=rng,
        )

    import dask

    score_parts = test_scores.to_delayed().ravel()
    weight_parts = weights.to_delayed().ravel() if weights is not None else [None] * len(sizes)
    blocks = [
        da.from_delayed(
            dask.delayed(block, pure=True)(part, state, part_weights),
            shape=(size,),
            dtype=np.float64,
        )
        for part, part_weights, size, state in zip(
            score_parts, weight_parts, sizes, states, strict=True
        )
    ]
    return da.concatenate(blocks) if blocks else da.zeros((0,), chunks=((0,),))


def p_values_dask(selector, X):
    """ConformalSelector.p_values on a Dask array (lazy)."""
    import_dask()
    _check_selector(selector)
    X = _check_dask_array(selector, X)
    _refuse_weighted(selector)
    return _lazy_p_values(selector, X)


def _refuse_weighted(selector):
    if selector.method == "wcs":
        raise ValueError(
            "ConformalSelector(method='wcs') does not accept Dask test points: its auxiliary "
            "selection sets couple all test units, so no per-block computation gives the "
            "exact selection. Compute the test points into memory (X.compute()) or use "
            "method='cfbh'."
        )


def select_dask(selector, X):
    """ConformalSelector.select on a Dask array: exact BH from a global pass, lazy result."""
    import_dask()
    _check_selector(selector)
    X = _check_dask_array(selector, X)
    _refuse_weighted(selector)
    p_values = _lazy_p_values(selector, X)
    selector.p_values_ = p_values
    count = _bh_cutoff(p_values, selector.fdr)
    if count == 0:
        return p_values < -1.0  # all False, same chunks
    return p_values <= selector.fdr * count / p_values.shape[0]


def _block_rankings(X_block, selector):
    from skselect.conformal._selector import _ranking, _validate_features

    X_block = _validate_features(
        selector, X_block, reset=False, estimator=selector.estimators[0], numeric=False
    )
    return np.vstack([_ranking(estimator, X_block) for estimator in selector.estimators_])


def _check_gather(n_bytes, what):
    budget = max_gather_bytes()
    if n_bytes > budget:
        from dask.utils import format_bytes

        raise ValueError(
            f"OptCSSelector on Dask test points gathers {what} ({format_bytes(n_bytes)}), "
            f"above the limit of {format_bytes(budget)}. Raise it with "
            f'dask.config.set({{"{GATHER_CONFIG_KEY}": "16GiB"}}) if the client can hold it, '
            "or select on smaller batches of test points."
        )


def optcs_select_dask(selector, X):
    """OptCSSelector.select on a Dask array: rankings per block, selection on the client."""
    import_dask()
    import dask
    import dask.array as da

    _check_selector(selector)
    X = _check_dask_array(selector, X)
    n_test = X.shape[0]
    if selector.mode != "ms":
        _check_gather(X.nbytes, "the test points, refitted on by leave-one-out")
        selected = selector.select(X.compute())
    else:
        n_models = len(selector.estimators_)
        _check_gather(8 * n_models * n_test, f"the {n_models} rankings of every test unit")
        selector_ref = dask.delayed(selector, pure=True)
        parts = dask.compute(
            *[
                dask.delayed(_block_rankings, pure=True)(part, selector_ref)
                for part in X.to_delayed().ravel()
            ]
        )
        test_rankings = np.hstack(parts) if parts else np.empty((n_models, 0), dtype=np.float64)
        selected = _optcs_select_from_rankings(selector, test_rankings)
    return da.from_array(selected, chunks=(X.chunks[0],))


def _optcs_select_from_rankings(selector, test_rankings):
    """OptCSSelector.select (mode "ms") after the predictions, on the gathered rankings."""
    from skselect.conformal._pvalues import (
        _auxiliary_sizes,
        _check_random_state,
        _select_with_auxiliary_sets,
    )
    from skselect.conformal._selector import _clip_scores
    from skselect.utils._openmp_helpers import _openmp_effective_n_threads

    random_state = _check_random_state(selector.random_state)
    calib_rankings = selector.calib_rankings_
    n_models, n_calib = calib_rankings.shape
    n_test = test_rankings.shape[1]
    set_sizes = np.empty((n_models, n_test), dtype=np.intp)
    p_values = np.empty((n_models, n_test))
    n_threads = _openmp_effective_n_threads()
    for k in range(n_models):
        calib_scores, test_scores = _clip_scores(
            calib_rankings[k], selector.calib_nonnull_, test_rankings[k]
        )
        set_sizes[k], _, at_or_below, _ = _auxiliary_sizes(
            calib_scores, test_scores, np.ones(n_calib), np.ones(n_test), selector.fdr, n_threads
        )
        p_values[k] = (at_or_below + 1.0) / (n_calib + 1.0)
    tie_break = random_state.uniform(size=(n_models, n_test))
    best = set_sizes.max(axis=0)
    chosen = np.argmax(np.where(set_sizes == best, tie_break, -1.0), axis=0)
    chosen_p_values = p_values[chosen, np.arange(n_test)]
    selected, _, e_values = _select_with_auxiliary_sets(
        chosen_p_values, best, selector.fdr, selector.pruning, random_state
    )
    selector.selected_model_ = chosen
    selector.aux_sizes_ = best
    selector.p_values_ = chosen_p_values
    selector.e_values_ = e_values
    return selected


register_dask_implementation("conformal_pvalues", conformal_pvalues_dask)
register_dask_implementation("ConformalSelector.p_values", p_values_dask)
register_dask_implementation("ConformalSelector.select", select_dask)
register_dask_implementation("OptCSSelector.select", optcs_select_dask)
