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


# The Dask code paths, keyed by what they implement: a sampler class (its fit_resample) or a
# name such as "conformal_pvalues". The modules holding them register themselves when their
# package is imported, so the in-memory modules never import the Dask ones: each family's
# Dask module depends on its in-memory code, never the other way round.
_IMPLEMENTATIONS = {}


def register_dask_implementation(key, function):
    """Record ``function`` as the Dask code path of ``key`` (a sampler class or a name)."""
    _IMPLEMENTATIONS[key] = function
    return function


def dask_implementation(name):
    """The registered Dask code path called ``name``."""
    return _IMPLEMENTATIONS[name]


def fit_resample_dask_input(sampler, X, y, params):
    """A sampler's lazy ``fit_resample`` on a Dask ``X``, the in-memory result.

    Samplers call it at the top of ``fit_resample``, before any conversion of ``X``, when
    :func:`is_dask_collection` is true for ``X``: Dask collections in give Dask collections
    out, the original partitions followed by the synthetic rows, identical to the in-memory
    result for the same ``random_state``. The code path is the one registered for the
    sampler's class or its nearest base class.
    """
    if params:
        raise TypeError(
            f"fit_resample got extra parameters {sorted(params)}; Dask input takes none."
        )
    for cls in type(sampler).__mro__:
        if cls in _IMPLEMENTATIONS:
            return _IMPLEMENTATIONS[cls](sampler, X, y)
    raise TypeError(
        f"{type(sampler).__name__} has no Dask code path; compute X and y into memory first."
    )


def _client():
    """The current distributed client, or None."""
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def share(obj):
    """One copy of ``obj`` for every task that needs it.

    With a distributed client, the object is scattered once (a Future the lazy result keeps
    alive, so compute the result on that client); otherwise it is embedded once in the graph.
    """
    import dask

    client = _client()
    if client is None:
        return dask.delayed(obj, pure=True)
    return client.scatter(obj, hash=True)


def share_each(objs):
    """One reference per object of ``objs``, for tasks that each need only their own one.

    As :func:`share`, with all the objects scattered in one call.
    """
    import dask

    client = _client()
    if client is None:
        return [dask.delayed(obj, pure=True) for obj in objs]
    return client.scatter(list(objs), hash=True)
