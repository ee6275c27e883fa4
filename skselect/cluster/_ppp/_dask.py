"""PPP on Dask collections: ``fit`` from a sample drawn by the rows' cells, and
``predict``, ``predict_proba`` and ``transform`` blockwise.

A fitted PPP labels every row from that row alone, so the in-memory code runs block by block
over the row chunks (``map_blocks``), lazily, and the result is the in-memory one whatever the
row partitioning. The features of a row must sit in one block: the columns are rechunked to a
single chunk when they are not. Dask is imported only when a Dask collection arrives.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import sys

import numpy as np
from sklearn.utils.validation import _check_feature_names, check_array, check_is_fitted

from skselect.utils._dask import import_dask, register_dask_implementation

_METHODS = ("predict", "predict_proba", "transform")


def _block(block, estimator, method):
    # Every block is validated as the in-memory methods validate X (finite values, float64 or
    # float32); a chunk may hold no rows.
    with np.errstate(over="ignore", invalid="ignore"):
        block = check_array(block, dtype=[np.float64, np.float32], order="C", ensure_min_samples=0)
    if block.shape[0] == 0:
        shape = (0,) if method == "predict" else (0, estimator.n_clusters_)
        return np.empty(shape, dtype=np.intp if method == "predict" else block.dtype)
    return getattr(estimator, f"_{method}")(block)


def _two_dimensional_dask_array(X, name):
    """``(array, frame)``: X as a 2-D Dask array, and X itself when it was a DataFrame."""
    import dask.array as da

    frame = None
    # A Dask DataFrame exists only once dask.dataframe has been imported.
    dd = sys.modules.get("dask.dataframe")
    if dd is not None and isinstance(X, dd.DataFrame):
        frame, X = X, X.to_dask_array(lengths=True)
    if not isinstance(X, da.Array):
        raise TypeError(
            f"{name} takes a Dask array or DataFrame, got {type(X).__name__}; compute it "
            "into memory first."
        )
    if X.ndim != 2:
        raise ValueError(f"{name}: X must be a 2-D Dask array, got {X.ndim} dimension(s).")
    return X, frame


def _as_dask_array(estimator, X, method):

    name = f"{type(estimator).__name__}.{method}"
    X, frame = _two_dimensional_dask_array(X, name)
    if frame is not None:
        # Its empty pandas frame carries the column names scikit-learn checks.
        _check_feature_names(estimator, frame._meta, reset=False)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    if len(X.chunks[1]) > 1:
        if any(np.isnan(size) for size in X.chunks[0]):
            X = X.compute_chunk_sizes()
        X = X.rechunk({1: -1})
    return X


def ppp_inference_dask(estimator, X, method):
    """``estimator.<method>(X)`` on a Dask collection: a lazy Dask array, row-chunked as X."""
    import_dask()
    import dask.array as da

    if method not in _METHODS:  # pragma: no cover - the estimator passes one of them
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    check_is_fitted(estimator)
    X = _as_dask_array(estimator, X, method)
    # What the in-memory code returns for a block of X's dtype.
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    if method == "predict":
        return da.map_blocks(
            _block,
            X,
            estimator,
            method,
            drop_axis=1,
            chunks=(X.chunks[0],),
            dtype=np.intp,
            meta=np.empty((0,), dtype=np.intp),
        )
    return da.map_blocks(
        _block,
        X,
        estimator,
        method,
        chunks=(X.chunks[0], (estimator.n_clusters_,)),
        dtype=dtype,
        meta=np.empty((0, 0), dtype=dtype),
    )


register_dask_implementation("ppp_inference_dask", ppp_inference_dask)

# Rows a fit on a Dask collection grows its tree from. Above this PPP's in-memory fit already
# works from samples (4096 rows per split test, at most 2^17 for the mixture), so a sample of
# this size changes little: measured on 10^6 x 10 in 10 clusters, the same k and labels.
DASK_FIT_SAMPLE_SIZE = 1 << 18


def _sample_block(block, shift, inverse_step, threshold):
    from skselect.cluster._ppp._estimator import _cell_hashes

    block = np.ascontiguousarray(block)
    if block.shape[0] == 0:
        return block
    return block[_cell_hashes(block, shift, inverse_step, 1) < threshold]


def ppp_fit_dask(estimator, X):
    """``estimator.fit(X)`` on a Dask collection, without gathering X.

    The per-feature magnitudes and moments are Dask reductions; every row's cell in the grid
    that orders PPP's rows is hashed block by block, and the rows whose hash falls below a
    threshold (about ``DASK_FIT_SAMPLE_SIZE`` of them) form the sample. Which rows are kept
    depends on their values only, not on the partitioning, and they are the rows that come
    first in PPP's geometric order, the ones its in-memory fit reads for its tests. The model
    is fitted in memory on the sample; ``labels_`` is the lazy ``predict`` of X.
    """
    import_dask()
    import dask
    import dask.array as da

    from skselect.cluster._ppp._estimator import _order_grid

    X, frame = _two_dimensional_dask_array(X, "PPP.fit")
    columns = None if frame is None else frame.columns
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if any(np.isnan(size) for size in X.chunks[0]):
        X = X.compute_chunk_sizes()
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    n_samples = X.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        magnitude, finite = dask.compute(abs(X).max(axis=0), da.isfinite(X).all())
    if not finite:
        raise ValueError("Input X contains NaN or infinity; PPP needs finite values.")

    def moments(power):
        scaled = X / power.astype(X.dtype)
        return dask.compute(scaled.mean(axis=0, dtype=np.float64), scaled.std(axis=0))

    shift, inverse_step = _order_grid(magnitude, moments)
    fraction = min(1.0, DASK_FIT_SAMPLE_SIZE / max(n_samples, 1))
    threshold = np.uint64(min(int(fraction * 2.0**64), 2**64 - 1))
    sample = X.map_blocks(
        _sample_block,
        shift,
        inverse_step,
        threshold,
        chunks=((np.nan,) * len(X.chunks[0]), X.chunks[1]),
        dtype=X.dtype,
        meta=np.empty((0, X.shape[1]), dtype=X.dtype),
    ).compute()
    if sample.shape[0] < 2:
        raise ValueError(
            f"PPP.fit on a Dask collection needs at least 2 samples; X has {n_samples}."
        )
    if columns is not None:
        import pandas as pd

        sample = pd.DataFrame(sample, columns=columns)
    estimator.fit(sample)
    estimator.n_samples_fit_sample_ = int(sample.shape[0])
    # The graph holds a copy that labels_ does not point back into (it is pickled to run).
    predictor = copy.copy(estimator)
    estimator.labels_ = ppp_inference_dask(predictor, X, "predict")
    return estimator


register_dask_implementation("ppp_fit_dask", ppp_fit_dask)
