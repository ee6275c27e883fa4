"""Build and environment information, for bug reports and for ``python -m skselect``."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import platform
import sys


def _build_info():
    """Return a dict describing how this copy of skselect was built."""
    from skselect.utils._openmp_helpers import (
        _openmp_effective_n_threads,
        _openmp_parallelism_enabled,
    )

    return {
        "openmp": _openmp_parallelism_enabled(),
        "effective_n_threads": _openmp_effective_n_threads(),
    }


def _dependency_versions():
    versions = {}
    for module_name, distribution in (
        ("numpy", "numpy"),
        ("scipy", "scipy"),
        ("sklearn", "scikit-learn"),
        ("imblearn", "imbalanced-learn"),
        ("joblib", "joblib"),
        ("threadpoolctl", "threadpoolctl"),
        ("pandas", "pandas"),
    ):
        try:
            versions[distribution] = importlib.import_module(module_name).__version__
        except ImportError:
            versions[distribution] = None
    return versions


def show_versions():
    """Print skselect's version, its build (OpenMP, threads) and its dependencies.

    Examples
    --------
    >>> import skselect
    >>> skselect.show_versions()  # doctest: +ELLIPSIS
    skselect: ...
    """
    import skselect

    build = _build_info()
    print(f"skselect: {skselect.__version__}")
    print(f"python: {sys.version.split()[0]} ({platform.platform()})")
    print(f"OpenMP: {'enabled' if build['openmp'] else 'disabled (serial build)'}")
    print(f"threads: {build['effective_n_threads']}")
    for name, version in _dependency_versions().items():
        print(f"{name}: {version if version is not None else 'not installed'}")
