"""The one driver of the SMOTE family, and the container dispatch every sampler shares.

SMOTE and SMOTE-NC over-sample classes; SMOTER, SMOGN and the random relevance samplers
over-sample bins of a regression target. Each group of rows (a class or a bin) goes through
the same four steps, each a hook of the sampler:

``_group_search(X, members, key, state)``
    the group's rows as the generation step reads them, and the matrix the neighbour search
    runs on (SMOTE-NC and SMOTER append the scaled one-hot codes of the nominal features);
``_group_neighbours(search, key, state)``
    the neighbour table of the group (sample itself dropped) and, when the sampler needs
    them, the distances; the default is SMOTE's search (:meth:`SMOTE._class_neighbours`);
``_group_draws(key, n_members, n_neighbors, n_new, state)``
    the base rows, neighbour slots and gaps of the new samples;
``_group_generate(X_group, members, table, distances, draws, key, position, state)``
    the new samples (written into a preallocated output, or returned as a block).

``state`` holds what one call needs (the thread count, the random generator, encoded
features, the output buffer), so that nothing of a call stays on the estimator.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from types import SimpleNamespace

from skselect.over_sampling._interchange import to_supported
from skselect.utils._dask import fit_resample_dask_input, is_dask_collection


def fit_resample_io(sampler, X, y, params, resample):
    """Every sampler's ``fit_resample``: containers in, ``resample(X, y)``, containers out.

    Dask collections take the sampler's lazy code path (or are refused, naming the sampler,
    when it has none); polars frames and pandas nullable dtypes are brought to NumPy-backed
    pandas and restored on the result.
    """
    if is_dask_collection(X):  # Dask input: lazy (over_sampling/_smote_dask.py)
        return fit_resample_dask_input(sampler, X, y, params)
    if is_dask_collection(y):
        # In-memory X with lazy labels: the labels are small next to X.
        y = y.compute()
    X, y, restore = to_supported(X, y)
    X_resampled, y_resampled = resample(X, y)
    return restore(X_resampled, y_resampled)


class _GroupDriver:
    """Over-sample groups of rows one by one through the hooks of the module docstring."""

    @staticmethod
    def _driver_state(**values):
        return SimpleNamespace(**values)

    def _over_sample_groups(self, X, groups, state):
        """Run every ``(key, members, n_new)`` group; return the blocks and the provenance.

        ``members`` are the group's row indices into ``X``; the provenance is one
        ``(members, table, rows, cols, steps)`` tuple per group, in order.
        """
        blocks, provenance, position = [], [], 0
        for key, members, n_new in groups:
            X_group, search = self._group_search(X, members, key, state)
            table, distances = self._group_neighbours(search, key, state)
            rows, cols, steps = self._group_draws(key, members.size, table.shape[1], n_new, state)
            blocks.append(
                self._group_generate(
                    X_group, members, table, distances, (rows, cols, steps), key, position, state
                )
            )
            provenance.append((members, table, rows, cols, steps))
            position += n_new
        return blocks, provenance

    def _group_neighbours(self, search, key, state):
        return self._class_neighbours(search, key), None
