"""Helpers shared by the Dask code paths, importable without Dask installed.

Estimators call :func:`is_dask_collection` on their input before anything else; it never
imports Dask, so the dispatch costs nothing for NumPy / pandas users and Dask stays an
optional dependency (``pip install skselect[dask]``).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

# Largest gathered block (bytes) when the user sets nothing: what one machine of a modest
# cluster holds comfortably next to its share of the data.
_DEFAULT_MAX_GATHER = "2GiB"
GATHER_CONFIG_KEY = "skselect.max-gather-bytes"


def is_dask_collection(obj):
    """True for a Dask array, DataFrame, Series or other Dask collection.

    Dask is never imported here: an object can only be a Dask collection when Dask was
    already imported by whoever built it.
    """
    if "dask" not in sys.modules:
        return False
    from dask.base import is_dask_collection as _is_dask

    return bool(_is_dask(obj))


def max_gather_bytes():
    """The memory budget (bytes) for data gathered to one machine.

    Set it with ``dask.config.set({"skselect.max-gather-bytes": "8GiB"})`` (an int in bytes
    or a string such as ``"500MB"``); the default is 2 GiB.
    """
    import dask
    from dask.utils import parse_bytes

    value = dask.config.get(GATHER_CONFIG_KEY, default=_DEFAULT_MAX_GATHER)
    return parse_bytes(value) if isinstance(value, str) else int(value)


def import_dask():
    """Import dask.array with a helpful message when the extra is not installed."""
    try:
        import dask.array  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only without the extra
        raise ImportError(
            "Dask input needs the optional dask extra: pip install 'skselect[dask]'."
        ) from exc
    import dask

    return dask


class DaskResampleMixin:
    """Give a sampler's ``fit_resample`` a lazy path for Dask arrays and DataFrames."""

    def fit_resample(self, X, y, **params):
        """Resample the dataset; Dask collections in give Dask collections out, lazily.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix, dask array, dask DataFrame} of shape \
(n_samples, n_features)
            Matrix containing the data which have to be sampled.

        y : array-like, dask array or dask Series of shape (n_samples,)
            Corresponding label for each sample in X.

        **params : dict
            Extra parameters to use by the sampler.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix, dask array, dask DataFrame} \
of shape (n_samples_new, n_features)
            The resampled data: with Dask input, the original partitions followed by the
            synthetic rows, identical to the in-memory result for the same
            ``random_state``.

        y_resampled : array-like, dask array or dask Series of shape (n_samples_new,)
            The corresponding labels of ``X_resampled``.
        """
        if is_dask_collection(X):
            if params:
                raise TypeError(
                    f"fit_resample got extra parameters {sorted(params)}; Dask input takes none."
                )
            from skselect.over_sampling._smote_dask import fit_resample_dask

            return fit_resample_dask(self, X, y)
        if is_dask_collection(y):
            # In-memory X with lazy labels: the labels are small next to X.
            y = y.compute()
        return super().fit_resample(X, y, **params)


def share(obj):
    """One copy of ``obj`` for every task that needs it.

    With a distributed client, the object is scattered once (a Future the lazy result keeps
    alive, so compute the result on that client); otherwise it is embedded once in the graph.
    """
    import dask

    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        return dask.delayed(obj, pure=True)
    return client.scatter(obj, hash=True)
