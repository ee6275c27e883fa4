"""Conformal selection of test points held in a Dask array.

The calibration side (``n`` scores, usually 10^3 - 10^5) stays in memory and travels with
every task; for ``ConformalSelector(method="cfbh")`` the test points never leave their blocks:

* predictions and p-values are computed block by block by the selector's own in-memory code
  (a test unit's p-value depends only on its own score and the calibration side);
* the Benjamini-Hochberg cut-off needs the sorted p-values only through
  ``#{j: p_j <= t}``. Each block reports its distinct p-values at or below ``fdr`` with their
  counts (unweighted deterministic p-values take at most ``n + 1`` values, so at most
  ``n + 1`` pairs per block), the client adds them up and applies the step-up rule exactly;
* the selection ``p_j <= fdr * k / m`` is returned as a lazy Dask array (computing it
  predicts the test points a second time; nothing is kept between the passes).

Randomized p-values draw one uniform per test unit from one generator, in test order; the
client replays that stream once, recording the generator state at each block boundary, and
every block draws its own uniforms from its recorded state, so the p-values (and the
selection) are the in-memory ones whatever the chunking.

Weighted conformal selection (``method="wcs"``) and OptCS compute, for every test unit, an
auxiliary BH set over all the test units, so their selection is not a function of per-block
counts. OptCS with ``mode="ms"`` gathers the ``K`` rankings of every test unit (``8 K`` bytes
each) and selects on the client; the full modes of OptCS and ``method="wcs"`` gather the test
points themselves (the full modes refit every model ``n + m`` times on them anyway, and
estimated density ratios are fitted on the whole test batch). Every gather is checked
against the budget of :func:`skselect.utils._dask.max_gather_bytes`.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skselect.utils._dask import (
    GATHER_CONFIG_KEY,
    import_dask,
    max_gather_bytes,
    register_dask_implementation,
)

# p-values above fdr are never selected, but fdr * k / m can round a hair above fdr when
# k = m; keep a margin so that the client applies the exact rule to every candidate.
_CANDIDATE_MARGIN = 1.0 + 1e-9


def _known_chunks(array):
    if any(np.isnan(size) for size in array.chunks[0]):
        array = array.compute_chunk_sizes()
    return array


def _check_dask_input(selector, X, method):
    import dask.array as da

    name = f"{type(selector).__name__}.{method}"
    if not isinstance(X, da.Array):
        raise TypeError(
            f"{name} takes a Dask array of test points, got {type(X).__name__}; convert a Dask "
            "DataFrame with X.to_dask_array(lengths=True)."
        )
    if X.ndim != 2:
        raise ValueError(
            f"{name}: X must be a 2-D Dask array of test points, got {X.ndim} dimension(s)."
        )
    if X.shape[1] != selector.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(selector).__name__} is expecting "
            f"{selector.n_features_in_} features as input."
        )
    return _known_chunks(X).rechunk({1: -1})


def _states_at_block_starts(random_state, sizes):
    """Generator states at the start of each block of one ``uniform(size=sum(sizes))``."""
    from skselect.conformal._pvalues import _check_random_state

    rng = _check_random_state(random_state)
    states = []
    for size in sizes:
        states.append(rng.get_state())
        rng.uniform(size=size)
    return states


def _generator(state):
    rng = np.random.RandomState()
    if state is not None:
        rng.set_state(state)
    return rng


def _lazy_blocks(function, parts, sizes, dtype, *args):
    """Concatenate ``function(part, *args)`` over the parts, lazily, as a 1-D Dask array."""
    import dask
    import dask.array as da

    blocks = [
        da.from_delayed(dask.delayed(function, pure=True)(*part, *args), shape=(size,), dtype=dtype)
        for part, size in zip(parts, sizes, strict=True)
    ]
    if not blocks:
        return da.zeros((0,), dtype=dtype, chunks=((0,),))
    return da.concatenate(blocks)


def _block_selector_p_values(X_block, state, selector):
    # The uniforms of randomized p-values come from the block's recorded state; the
    # unweighted preparation draws nothing, so a fresh generator is never used otherwise.
    X_block = selector._validate_test_features(X_block)
    return selector._p_values(X_block, random_state=_generator(state))


def _lazy_selector_p_values(selector, X):
    import dask

    sizes = X.chunks[0]
    states = (
        _states_at_block_starts(selector._select_time_random_state(), sizes)
        if selector.randomized
        else [None] * len(sizes)
    )
    parts = list(zip(X.to_delayed().ravel(), states, strict=True))
    return _lazy_blocks(
        _block_selector_p_values,
        parts,
        sizes,
        np.float64,
        dask.delayed(selector, pure=True),
    )


def _candidate_counts(p_block, cutoff):
    return np.unique(p_block[p_block <= cutoff], return_counts=True)


def _global_bh_count(p_values, fdr):
    """Exact BH count ``k`` of a Dask array of p-values, from per-block counts."""
    import dask

    from skselect.conformal._pvalues import _bh_count_from_counts

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
    values = np.concatenate([values for values, _ in parts])
    if values.size == 0:
        return 0
    distinct, where = np.unique(values, return_inverse=True)
    counts = np.zeros(distinct.shape[0], dtype=np.int64)
    np.add.at(counts, where, np.concatenate([counts for _, counts in parts]))
    return _bh_count_from_counts(distinct, counts, n_tests, fdr)


def _check_gather(selector, n_bytes, what):
    budget = max_gather_bytes()
    if n_bytes > budget:
        from dask.utils import format_bytes

        raise ValueError(
            f"{type(selector).__name__} on Dask test points gathers {what} "
            f"({format_bytes(n_bytes)}) to the client, above the limit of "
            f"{format_bytes(budget)}. Raise it with "
            f'dask.config.set({{"{GATHER_CONFIG_KEY}": "16GiB"}}) if the client can hold it, '
            "or select on smaller batches of test points."
        )


def _block_rankings(X_block, selector):
    return selector._test_rankings(selector._validate_test_features(X_block))


def _blockwise(selector):
    """True when the p-values are computed block by block (unweighted ConformalSelector)."""
    from skselect.conformal._selector import ConformalSelector

    return isinstance(selector, ConformalSelector) and selector.weight_function is None


def _gathered_selection(selector, X):
    """The in-memory selection of the gathered test rankings (OptCS "ms") or test points."""
    import dask

    if getattr(selector, "mode", None) == "ms":
        n_models, n_test = len(selector.estimators_), X.shape[0]
        _check_gather(selector, 8 * n_models * n_test, f"the {n_models} rankings of every unit")
        selector_ref = dask.delayed(selector, pure=True)
        parts = dask.compute(
            *[
                dask.delayed(_block_rankings, pure=True)(part, selector_ref)
                for part in X.to_delayed().ravel()
            ]
        )
        test_rankings = np.hstack(parts) if parts else np.empty((n_models, 0))
        return selector._selection_from_rankings(selector.calib_rankings_, test_rankings)
    _check_gather(selector, X.nbytes, "the test points")
    return selector._selection(selector._validate_test_features(X.compute()))


def select_dask(selector, X):
    """``select`` on a Dask array: a lazy Dask array of booleans chunked like ``X``."""
    import_dask()
    import dask.array as da

    selector._check_ready()
    X = _check_dask_input(selector, X, "select")
    if _blockwise(selector) and selector.method == "cfbh":
        p_values = _lazy_selector_p_values(selector, X)
        count = _global_bh_count(p_values, selector.fdr)
        if count == 0:
            return da.zeros(p_values.shape, dtype=bool, chunks=p_values.chunks)
        return p_values <= selector.fdr * count / p_values.shape[0]
    selected = _gathered_selection(selector, X).selected
    return da.from_array(selected, chunks=(X.chunks[0],))


def p_values_dask(selector, X):
    """``p_values`` on a Dask array: a Dask array of p-values chunked like ``X``."""
    import_dask()
    import dask.array as da

    selector._check_ready()
    X = _check_dask_input(selector, X, "p_values")
    if _blockwise(selector):
        return _lazy_selector_p_values(selector, X)
    p_values = _gathered_selection(selector, X).p_value
    return da.from_array(p_values, chunks=(X.chunks[0],))


def selection_report_dask(selector, X):
    """``selection_report`` refuses Dask input (one row of several columns per unit)."""
    raise ValueError(
        f"{type(selector).__name__}.selection_report does not accept a Dask array: the "
        "report has one row of several columns per test unit and is built in memory. Call "
        "select or p_values on the Dask array (both return Dask arrays), or "
        "selection_report on a NumPy array or pandas DataFrame (for instance "
        "X[:10_000].compute(); that batch then gets its own BH cut-off)."
    )


def _block_conformal_pvalues(scores, weights, state, calib_scores, calib_weights, largest):
    from skselect.conformal._pvalues import _pvalues_from_scores, _validate_score_inputs

    calib_scores, scores, calib_weights, weights = _validate_score_inputs(
        calib_scores, scores, calib_weights, weights, largest_weight=largest
    )
    uniforms = None
    if state is not None:
        # As in memory: a uniform of exactly 0 with nothing below would give a p-value of 0.
        uniforms = np.maximum(
            _generator(state).uniform(size=scores.shape[0]), np.finfo(np.float64).tiny
        )
    return _pvalues_from_scores(calib_scores, scores, calib_weights, weights, uniforms)


def conformal_pvalues_dask(
    calib_scores, test_scores, *, calib_weights, test_weights, randomized, random_state
):
    """``conformal_pvalues`` with a Dask array of test scores: block by block, lazily."""
    import_dask()
    import dask.array as da

    from skselect.conformal._pvalues import _validate_score_inputs

    if not isinstance(test_scores, da.Array):
        raise TypeError(
            "conformal_pvalues takes test_scores as a Dask array, got "
            f"{type(test_scores).__name__}; convert a Dask Series with "
            "test_scores.to_dask_array(lengths=True)."
        )
    if test_scores.ndim != 1:
        raise ValueError(
            f"test_scores must be one-dimensional, got an array of shape {test_scores.shape}."
        )
    # The calibration side (and the dtype of the test scores) are checked once, eagerly.
    _validate_score_inputs(
        calib_scores,
        np.zeros(0, dtype=test_scores.dtype),
        calib_weights,
        None if test_weights is None else np.zeros(0),
    )
    test_scores = _known_chunks(test_scores)
    sizes = test_scores.chunks[0]
    largest = None
    weight_parts = [None] * len(sizes)
    if test_weights is not None:
        if not isinstance(test_weights, da.Array):
            test_weights = da.from_array(np.asarray(test_weights), chunks=test_scores.chunks)
        if test_weights.shape != test_scores.shape:
            raise ValueError(
                "test_weights must have one weight per score: expected "
                f"{test_scores.shape[0]}, got {test_weights.shape}."
            )
        test_weights = test_weights.rechunk(test_scores.chunks)
        # Every block divides by the largest weight of the whole batch, as in memory.
        test_max = float(test_weights.max().compute()) if test_scores.shape[0] else 0.0
        largest = max(float(np.max(np.asarray(calib_weights, dtype=np.float64))), test_max)
        weight_parts = test_weights.to_delayed().ravel()
    states = _states_at_block_starts(random_state, sizes) if randomized else [None] * len(sizes)
    import dask

    parts = list(zip(test_scores.to_delayed().ravel(), weight_parts, states, strict=True))
    return _lazy_blocks(
        _block_conformal_pvalues,
        parts,
        sizes,
        np.float64,
        # One copy of the calibration side in the graph, shared by every block.
        dask.delayed(calib_scores, pure=True),
        None if test_weights is None else dask.delayed(calib_weights, pure=True),
        largest,
    )


def _distinct_counts(p_block):
    return np.unique(p_block, return_counts=True)


def fdp_bounds_dask(selector, X, confidence, method, boost, n_resamples):
    """``ConformalSelector.fdp_bounds`` on a Dask array: the p-values are computed block by
    block and only their distinct values with counts reach the client (at most ``n + 1`` per
    block for deterministic p-values); the bounds depend on the sorted p-values alone, so
    they equal the in-memory ones. The order of the units is not gathered."""
    import_dask()
    import dask

    from skselect.conformal._fdp import _bounds_from_sorted

    selector._check_ready()
    X = _check_dask_input(selector, X, "fdp_bounds")
    p_values = _lazy_selector_p_values(selector, X)
    if selector.randomized:
        _check_gather(selector, 16 * p_values.shape[0], "the randomized p-values")
    parts = dask.compute(
        *[dask.delayed(_distinct_counts, pure=True)(b) for b in p_values.to_delayed().ravel()]
    )
    values = np.concatenate([np.zeros(0)] + [values for values, _ in parts])
    counts = np.concatenate([np.zeros(0, dtype=np.int64)] + [counts for _, counts in parts])
    distinct, where = np.unique(values, return_inverse=True)
    totals = np.zeros(distinct.shape[0], dtype=np.int64)
    np.add.at(totals, where, counts)
    return _bounds_from_sorted(
        np.repeat(distinct, totals),
        None,
        selector.calib_scores_.shape[0],
        float(confidence),
        method,
        bool(boost),
        int(n_resamples),
        selector._fdp_seed(),
    )


# The in-memory selectors and conformal_pvalues look these up by name, so that they never
# import this module (which imports theirs).
for _function in (
    select_dask,
    p_values_dask,
    selection_report_dask,
    conformal_pvalues_dask,
    fdp_bounds_dask,
):
    register_dask_implementation(_function.__name__, _function)
