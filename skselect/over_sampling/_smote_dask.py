"""SMOTE, SMOTE-NC and SMOTE + under-sampling on Dask arrays and Dask DataFrames.

The result is the in-memory result, value for value, whatever the partitioning and the
number of workers, and so are the fitted attributes (``sampling_strategy_``, the provenance
``sample_indices_``, ``base_indices_``, ``neighbor_indices_``, ``gaps_``, hence
``resample_array``):

* the class counts come from one reduction over ``y``;
* the rows of the over-sampled classes (small by definition) are gathered, in their original
  order and with their positions in the input, and the sampler runs its in-memory per-class
  loop on them (``_GroupDriver._over_sample_groups``: the same neighbour search and the same
  draws, from the same ``random_state``);
* the original partitions are passed through untouched, and the synthetic rows are generated
  lazily, one output chunk per task, from the gathered class, its neighbour table and its
  draws.

This module holds only the Dask container: :class:`_Input` counts, gathers, makes the lazy
chunks and assembles the output; the samplers' ``_fit_resample_lazy`` methods drive it and
set every fitted attribute themselves. The draws of a class (base rows, neighbour slots and
steps, 24 bytes per synthetic row) are held on the client, as the provenance attributes
derived from them must be; each chunk task receives only its own slice of them (scattered
with a distributed client).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from sklearn.utils import check_array

from skselect.over_sampling._smote import SMOTE, _generate_into
from skselect.utils._dask import (
    GATHER_CONFIG_KEY,
    import_dask,
    max_gather_bytes,
    register_dask_implementation,
    share,
    share_each,
)


def _format_bytes(n_bytes):
    from dask.utils import format_bytes

    return format_bytes(int(n_bytes))


class _Input:
    """A Dask array or DataFrame X with its labels, split into aligned row partitions."""

    def __init__(self, X, y):
        import dask.array as da

        self.is_frame = hasattr(X, "columns")
        if self.is_frame:
            self._init_frame(X, y)
        else:
            self._init_array(X, y, da)

    def _init_array(self, X, y, da):
        if not isinstance(X, da.Array):
            raise TypeError(
                "X must be a dask.array.Array or a dask.dataframe.DataFrame, got "
                f"{type(X).__name__}."
            )
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D dask array, got {X.ndim} dimension(s).")
        if any(math.isnan(c) for c in X.chunks[0]):
            X = X.compute_chunk_sizes()
        # The neighbour search and the kernel need whole rows.
        X = X.rechunk({1: -1})
        if hasattr(y, "to_dask_array"):
            y = y.to_dask_array(lengths=True)
        elif not isinstance(y, da.Array):
            y = da.from_array(np.asarray(y), chunks=(X.chunks[0],))
        if y.ndim != 1:
            raise ValueError(
                f"y must be one-dimensional for Dask input, got {y.ndim} dimension(s)."
            )
        if any(math.isnan(c) for c in y.chunks[0]):
            y = y.compute_chunk_sizes()
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have different numbers of samples: {X.shape[0]} and {y.shape[0]}."
            )
        if y.chunks[0] != X.chunks[0]:
            y = y.rechunk((X.chunks[0],))
        self.X, self.y = X, y
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.y_dtype = y.dtype
        self.chunk_rows = max(1, max(X.chunks[0]))
        self.X_parts = list(X.to_delayed().ravel())
        self.y_parts = list(y.to_delayed())

    def _init_frame(self, X, y):
        import dask.dataframe as dd

        if not isinstance(X, dd.DataFrame):
            raise TypeError(f"X must be a dask DataFrame, got {type(X).__name__}.")
        if not isinstance(y, dd.Series):
            raise TypeError(
                f"With a dask DataFrame X, y must be a dask Series, got {type(y).__name__}."
            )
        if X.npartitions != y.npartitions:
            raise ValueError(
                "X and y must have the same partitions: X has "
                f"{X.npartitions}, y {y.npartitions}. Build y from the same DataFrame "
                "(for example y = df.pop('target'))."
            )
        meta = X._meta
        self.X, self.y = X, y
        self.columns = meta.columns
        self.dtypes = meta.dtypes
        self.y_name = y.name
        self.y_dtype = y._meta.dtype
        self.n_features = len(meta.columns)
        # The in-memory path converts the DataFrame to one NumPy array of this dtype.
        try:
            self.dtype = check_array(meta, ensure_min_samples=0, ensure_all_finite=False).dtype
        except (TypeError, ValueError):
            self.dtype = np.dtype(object)  # SMOTENC's mixed columns
        self.X_parts = list(X.to_delayed())
        self.y_parts = list(y.to_delayed())
        self.chunk_rows = None  # known after the counts

    def meta(self):
        """An empty X of the right kind, for validate_data."""
        if self.is_frame:
            return self.X._meta
        return np.empty((0, self.n_features), dtype=self.dtype)

    # -- what the samplers' _fit_resample_lazy call, in this order ---------------------------

    def class_counts(self):
        """The sorted classes and their counts, from one pass over ``y``."""
        classes, counts, lengths = _class_counts(self)
        self.n_samples = int(sum(lengths))
        # where each partition starts in the input: the positions of the gathered rows
        self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
        if self.is_frame:
            n_parts = max(1, len(lengths))
            self.chunk_rows = max(1, -(-self.n_samples // n_parts))
        return classes, counts

    def check_budget(self, targets, counts_of, dtype=None, what="samples"):
        """A ValueError naming the class when the gathered rows would exceed the budget."""
        _check_budget(
            targets, counts_of, self.n_features, self.dtype if dtype is None else dtype, what
        )

    def gather(self, labels):
        """The rows of the classes ``labels``, their labels and their positions in the input.

        The rows come in their input order, as NumPy arrays of the dtype the in-memory path
        converts ``X`` to; every partition is checked as the in-memory path checks ``X``.
        """
        import dask

        gather = dask.delayed(_gather_part, pure=True)
        parts = dask.compute(
            *[
                gather(X_part, y_part, offset, labels, self.dtype, not self.is_frame)
                for X_part, y_part, offset in zip(
                    self.X_parts, self.y_parts, self.offsets, strict=True
                )
            ]
        )
        return _join_parts(parts, self.n_features, self.dtype, self.y_dtype)

    def gather_categorical(self, labels, categorical, continuous):
        """SMOTE-NC's gathered rows: as :meth:`gather`, plus the categories seen anywhere.

        The rows stay a DataFrame for DataFrame input (SMOTE-NC's encoder reads its column
        dtypes); the categories are those of every row, over-sampled class or not.
        """
        import dask

        part_task = dask.delayed(_smotenc_part, pure=True)
        parts = dask.compute(
            *[
                part_task(X_part, y_part, offset, labels, categorical, continuous, self.is_frame)
                for X_part, y_part, offset in zip(
                    self.X_parts, self.y_parts, self.offsets, strict=True
                )
            ]
        )
        categories = [
            _unique(np.concatenate([part[3][index] for part in parts]))
            for index in range(len(categorical))
        ]
        if self.is_frame:
            import pandas as pd

            rows = pd.concat([part[0] for part in parts])
        else:
            rows = np.concatenate([part[0] for part in parts])
        y_rows = np.concatenate([part[1] for part in parts])
        index = np.concatenate([part[2] for part in parts])
        return rows, y_rows, index, categories

    def padding(self, categories, categorical, n_rows):
        """``n_rows`` rows carrying every category of ``categories``, zero elsewhere.

        SMOTE-NC's encoder must see every category of the data, as in memory; these rows
        (of a class that is not over-sampled) bring the categories the gathered rows lack.
        """
        if self.is_frame:
            import pandas as pd

            return pd.DataFrame(
                {
                    column: (
                        np.resize(categories[categorical.index(position)], n_rows)
                        if position in categorical
                        else np.zeros(n_rows)
                    )
                    for position, column in enumerate(self.columns)
                }
            ).astype(self.dtypes)
        padding = np.zeros((n_rows, self.n_features), dtype=self.dtype)
        for index, column in enumerate(categorical):
            padding[:, column] = np.resize(categories[index], n_rows)
        return padding

    def synthetic(self, X_class, neighbours, draws, label):
        """Lazy output chunks ``(values, size, label)`` of one class's synthetic rows."""
        import dask

        # the gathered class and its table go to the workers once, not once per chunk, and
        # each chunk task gets only its own slice of the draws
        X_ref, table_ref = share(X_class), share(neighbours)
        sizes = _pieces(draws[0].shape[0], self.chunk_rows)
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        slices = share_each(
            [
                tuple(values[start:stop] for values in draws)
                for start, stop in zip(starts[:-1], starts[1:], strict=True)
            ]
        )
        return [
            (dask.delayed(_synthetic_chunk, pure=True)(X_ref, table_ref, piece), size, label)
            for piece, size in zip(slices, sizes, strict=True)
        ]

    def split(self, synthetic, targets):
        """Output chunks ``(values, size, label)`` of synthetic rows made on the client."""
        import dask.array as da

        if not self.is_frame and synthetic.dtype != self.dtype:
            # integer input comes back as float64, as in memory: the original rows too
            self.X = self.X.astype(synthetic.dtype)
            self.dtype = synthetic.dtype
        blocks, offset = [], 0
        for label, n_new in targets:
            for size in _pieces(n_new, self.chunk_rows):
                values = synthetic[offset : offset + size]
                if not self.is_frame:
                    values = da.from_array(np.ascontiguousarray(values), chunks=(size, -1))
                blocks.append((values, size, label))
                offset += size
        return blocks

    def assemble(self, blocks):
        """The lazy output: the original partitions, then the blocks ``(values, size, label)``."""
        return _assemble(self, blocks)


def _unique(values):
    import pandas as pd

    return pd.unique(values)


def _partition_counts(y_part):
    labels, counts = np.unique(np.asarray(y_part), return_counts=True)
    return labels, counts, len(y_part)


def _class_counts(data):
    """Classes, their counts and the partition lengths, from one pass over y."""
    import dask

    results = dask.compute(*[dask.delayed(_partition_counts)(p) for p in data.y_parts])
    lengths = [n for _, _, n in results]
    non_empty = [(labels, counts) for labels, counts, n in results if n]
    if not non_empty:
        raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
    classes = np.unique(np.concatenate([labels for labels, _ in non_empty]))
    totals = np.zeros(classes.shape[0], dtype=np.int64)
    for labels, counts in non_empty:
        totals[np.searchsorted(classes, labels)] += counts
    return classes, totals, lengths


def _check_budget(targets, counts_of, n_features, dtype, what="samples"):
    budget = max_gather_bytes()
    total = 0
    itemsize = np.dtype(dtype).itemsize
    for label, _ in targets:
        n_class = counts_of[label]
        size = n_class * n_features * itemsize
        total += size
        if total > budget:
            shown = label.item() if isinstance(label, np.generic) else label
            raise ValueError(
                f"Class {shown!r} has {n_class} {what} ({_format_bytes(size)} as "
                f"{np.dtype(dtype).name} with {n_features} features) to gather on one machine "
                "for the neighbour search, which brings the gathered data to "
                f"{_format_bytes(total)}, above the limit of {_format_bytes(budget)}. Raise the "
                f'limit with dask.config.set({{"{GATHER_CONFIG_KEY}": "16GiB"}}) if the '
                "client and workers can hold it, or over-sample fewer classes "
                "(sampling_strategy)."
            )


def _check_lengths(X_part, y_part):
    if len(X_part) != len(y_part):
        raise ValueError(
            f"A partition of X has {len(X_part)} rows but the matching partition of y has "
            f"{len(y_part)}; X and y must be partitioned alike (take y from the same "
            "DataFrame as X)."
        )


def _target_mask(y_part, labels):
    return np.isin(y_part, np.asarray(labels, dtype=y_part.dtype))


def _gather_part(X_part, y_part, offset, labels, dtype, as_array):
    """Rows of the target classes in one partition, their labels and input positions (the
    partition checked as the in-memory path checks X)."""
    _check_lengths(X_part, y_part)
    X_part = check_array(
        X_part, dtype=dtype if as_array else "numeric", ensure_min_samples=0, input_name="X"
    )
    y_part = np.asarray(y_part)
    mask = _target_mask(y_part, labels)
    return (
        np.ascontiguousarray(X_part[mask], dtype=dtype),
        y_part[mask],
        np.flatnonzero(mask) + offset,
    )


def _join_parts(parts, n_features, dtype, y_dtype):
    if not parts:
        return (
            np.empty((0, n_features), dtype=dtype),
            np.empty(0, dtype=y_dtype),
            np.empty(0, dtype=np.intp),
        )
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))


def _pieces(n_new, chunk_rows):
    """Sizes of the output chunks of ``n_new`` synthetic rows."""
    n_full, rest = divmod(n_new, chunk_rows)
    return [chunk_rows] * n_full + ([rest] if rest else [])


def _synthetic_chunk(X_class, neighbours, draws):
    """One output chunk of synthetic rows, as the in-memory kernel writes them."""
    rows, cols, steps = draws
    out = np.empty((rows.shape[0], X_class.shape[1]), dtype=X_class.dtype)
    # One thread per task: the workers already run one task per core.
    _generate_into(X_class, neighbours, rows, cols, steps, out, 1)
    return out


def _as_frame(values, columns, dtypes, start):
    import pandas as pd

    index = pd.RangeIndex(start, start + values.shape[0])
    if isinstance(values, pd.DataFrame):
        return values.set_axis(index, axis=0).astype(dtypes)
    return pd.DataFrame(values, columns=columns, index=index).astype(dtypes)


def _label_series(label, size, dtype, name, start):
    import pandas as pd

    index = pd.RangeIndex(start, start + size)
    return pd.Series(np.full(size, label), dtype=dtype, name=name, index=index)


def _assemble(data, blocks):
    """Original partitions followed by the synthetic blocks ``(values, size, label)``."""
    import dask
    import dask.array as da

    if not data.is_frame:
        X_blocks = [data.X] + [
            values
            if isinstance(values, da.Array)
            else da.from_delayed(values, shape=(size, data.n_features), dtype=data.dtype)
            for values, size, _ in blocks
        ]
        y_blocks = [data.y] + [
            da.full(size, label, dtype=data.y_dtype, chunks=size) for _, size, label in blocks
        ]
        return da.concatenate(X_blocks, axis=0), da.concatenate(y_blocks)

    import dask.dataframe as dd

    if not blocks:
        return data.X, data.y
    frames, series = [], []
    start = data.n_samples
    for values, size, label in blocks:
        frames.append(dask.delayed(_as_frame, pure=True)(values, data.columns, data.dtypes, start))
        series.append(
            dask.delayed(_label_series, pure=True)(label, size, data.y_dtype, data.y_name, start)
        )
        start += size
    X_new = dd.from_delayed(frames, meta=data.X._meta, verify_meta=False)
    y_new = dd.from_delayed(series, meta=data.y._meta, verify_meta=False)
    return dd.concat([data.X, X_new]), dd.concat([data.y, y_new])


def _smotenc_part(X_part, y_part, offset, labels, categorical, continuous, is_frame):
    """Rows of the target classes, their labels and input positions, the categories seen,
    and the in-memory input checks."""
    _check_lengths(X_part, y_part)
    take = (
        (lambda columns: X_part.iloc[:, columns])
        if is_frame
        else (lambda columns: np.asarray(X_part)[:, columns])
    )
    # The in-memory path checks the continuous features of every row (numeric, finite).
    check_array(take(continuous), ensure_min_samples=0, input_name="X")
    categories = [_unique(np.asarray(take([column])).ravel()) for column in categorical]
    y_part = np.asarray(y_part)
    mask = _target_mask(y_part, labels)
    rows = X_part[mask] if is_frame else np.asarray(X_part)[mask]
    return rows, y_part[mask], np.flatnonzero(mask) + offset, categories


def _smote(sampler, X, y):
    """SMOTE's and SMOTE-NC's lazy ``fit_resample``: the sampler drives this container."""
    import_dask()
    return sampler._fit_resample_lazy(_Input(X, y))


register_dask_implementation(SMOTE, _smote)
