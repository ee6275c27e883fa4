"""PPP's ``predict``, ``predict_proba`` and ``transform`` on Dask collections.

A fitted PPP labels every row from that row alone, so the in-memory code runs block by block
over the row chunks (``map_blocks``), lazily, and the result is the in-memory one whatever the
row partitioning. The features of a row must sit in one block: the columns are rechunked to a
single chunk when they are not. Dask is imported only when a Dask collection arrives.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

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


def _as_dask_array(estimator, X, method):
    import dask.array as da

    name = f"{type(estimator).__name__}.{method}"
    # A Dask DataFrame exists only once dask.dataframe has been imported.
    dd = sys.modules.get("dask.dataframe")
    if dd is not None and isinstance(X, dd.DataFrame):
        # Its empty pandas frame carries the column names scikit-learn checks.
        _check_feature_names(estimator, X._meta, reset=False)
        X = X.to_dask_array(lengths=True)
    if not isinstance(X, da.Array):
        raise TypeError(
            f"{name} takes a Dask array or DataFrame, got {type(X).__name__}; compute it "
            "into memory first."
        )
    if X.ndim != 2:
        raise ValueError(f"{name}: X must be a 2-D Dask array, got {X.ndim} dimension(s).")
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
