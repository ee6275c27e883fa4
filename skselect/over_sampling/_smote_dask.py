"""SMOTE, SMOTE-NC and SMOTE + under-sampling on Dask arrays and Dask DataFrames.

The result is the in-memory result, value for value, whatever the partitioning and the
number of workers:

* the class counts come from one reduction over ``y``;
* the rows of the over-sampled classes (small by definition) are gathered, in their original
  order, to fit the neighbour search exactly as the in-memory path fits it;
* the original partitions are passed through untouched, and the synthetic rows are generated
  lazily, one output chunk per task, from the gathered class and its neighbour table.

The random numbers are the in-memory ones. For every over-sampled class the in-memory path
calls ``check_random_state(random_state)`` and draws one ``randint`` over the flattened
neighbour table (or, for ``base_selection="even"``, one permutation of the class then one
``randint`` over the neighbour slots), then one ``uniform`` per synthetic sample. Legacy
``RandomState`` draws each of those values from the Mersenne Twister independently of the
request size, so splitting one request into consecutive pieces gives the same numbers (the
tests check this). The client therefore makes one sequential pass per class that draws and
discards the numbers piece by piece, recording the 2.5 kB generator state before each
output chunk, and each chunk task replays its own piece. We chose this over drawing the index
and step arrays once on the client and shipping slices: those arrays take 24 bytes per
synthetic row (240 MB for 10^7 synthetic rows) and would sit in the task graph, whereas the
recorded states keep the graph and the client's memory independent of the output size; the
sequential pass costs the same draws as the in-memory path and no interpolation.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from collections import OrderedDict
from numbers import Real

import numpy as np
from imblearn.utils import check_sampling_strategy
from sklearn.utils import check_array, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from skselect.utils._dask import GATHER_CONFIG_KEY, import_dask, max_gather_bytes, share


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


def _sampling_strategy(sampler, classes, counts):
    """imbalanced-learn's sampling_strategy_ from the class counts alone.

    imbalanced-learn reads the counts off a label array; hand it a stand-in with the same
    counts (small integer codes where the strategy never sees the labels) rather than the
    real labels, which may be 8 bytes per row.
    """
    strategy = sampler.sampling_strategy
    sampling_type = sampler._sampling_type
    if isinstance(strategy, str | Real) and not isinstance(strategy, bool):
        code_dtype = np.min_scalar_type(max(classes.shape[0] - 1, 0))
        codes = np.repeat(np.arange(classes.shape[0], dtype=code_dtype), counts)
        by_code = check_sampling_strategy(strategy, codes, sampling_type)
        return OrderedDict((classes[int(code)], n) for code, n in by_code.items())
    return check_sampling_strategy(strategy, np.repeat(classes, counts), sampling_type)


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


def _gather_part(X_part, y_part, labels, dtype, as_array):
    """Rows of each target class in one partition (checked as the in-memory path checks X)."""
    _check_lengths(X_part, y_part)
    X_part = check_array(
        X_part, dtype=dtype if as_array else "numeric", ensure_min_samples=0, input_name="X"
    )
    y_part = np.asarray(y_part)
    return [np.ascontiguousarray(X_part[y_part == label], dtype=dtype) for label in labels]


def _gather_classes(data, labels):
    """The rows of every target class, in their original order, on the client."""
    import dask

    gather = dask.delayed(_gather_part, pure=True)
    parts = dask.compute(
        *[
            gather(X_part, y_part, labels, data.dtype, not data.is_frame)
            for X_part, y_part in zip(data.X_parts, data.y_parts, strict=True)
        ]
    )
    return [
        np.concatenate([part[index] for part in parts])
        if parts
        else np.empty((0, data.n_features), dtype=data.dtype)
        for index in range(len(labels))
    ]


def _pieces(n_new, chunk_rows):
    """Sizes of the output chunks of ``n_new`` synthetic rows."""
    n_full, rest = divmod(n_new, chunk_rows)
    return [chunk_rows] * n_full + ([rest] if rest else [])


def _record_states(random_state, n_class, n_neighbors, pieces, base_selection):
    """Replay the in-memory draws piece by piece; keep the generator state at each piece.

    Returns the states before each piece of the index draw and of the step draw, and for
    ``"even"`` the permuted class rows that serve once more.
    """
    rng = check_random_state(random_state)
    n_new = sum(pieces)
    extra = None
    if base_selection == "random":
        high = n_class * n_neighbors
    else:
        extra = rng.permutation(n_class)[: n_new % n_class]
        high = n_neighbors
    index_states = []
    for size in pieces:
        index_states.append(rng.get_state())
        rng.randint(low=0, high=high, size=size)
    step_states = []
    for size in pieces:
        step_states.append(rng.get_state())
        rng.uniform(size=size)
    return index_states, step_states, extra


def _replay(states, start, size, n_new, n_class, n_neighbors, base_selection, extra):
    """Base rows, neighbour slots and steps of the class's synthetic rows start..start+size."""
    index_state, step_state = states
    rng = np.random.RandomState()
    rng.set_state(index_state)
    if base_selection == "random":
        flat = rng.randint(low=0, high=n_class * n_neighbors, size=size)
        rows, cols = np.divmod(flat, n_neighbors)
    else:
        cols = rng.randint(low=0, high=n_neighbors, size=size)
        # In memory: every row n_new // n_class times in order, then the permuted extras.
        n_per_sample = n_new // n_class
        position = np.arange(start, start + size)
        n_repeated = n_per_sample * n_class
        rows = np.empty(size, dtype=np.intp)
        repeated = position < n_repeated
        if n_per_sample:
            rows[repeated] = position[repeated] // n_per_sample
        rows[~repeated] = extra[position[~repeated] - n_repeated]
    rng.set_state(step_state)
    steps = rng.uniform(size=size)
    return (
        np.ascontiguousarray(rows, dtype=np.intp),
        np.ascontiguousarray(cols, dtype=np.intp),
        np.ascontiguousarray(steps, dtype=np.float64),
    )


def _synthetic_chunk(X_class, neighbours, states, start, size, n_new, base_selection, extra):
    """One output chunk of synthetic rows, as the in-memory kernel writes them."""
    from skselect.over_sampling._smote import _generate_into

    n_class, n_neighbors = neighbours.shape
    rows, cols, steps = _replay(
        states, start, size, n_new, n_class, n_neighbors, base_selection, extra
    )
    out = np.empty((size, X_class.shape[1]), dtype=X_class.dtype)
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


def _prepare(sampler, X, y):
    """Validate, count the classes and compute sampling_strategy_ (no pass over X yet)."""
    import_dask()
    sampler._validate_params()
    data = _Input(X, y)
    classes, counts, lengths = _class_counts(data)
    check_classification_targets(classes)
    data.n_samples = int(sum(lengths))
    if data.is_frame:
        n_parts = max(1, len(lengths))
        data.chunk_rows = max(1, -(-data.n_samples // n_parts))
    validate_data(sampler, X=data.meta(), reset=True, skip_check_array=True)
    sampler.sampling_strategy_ = _sampling_strategy(sampler, classes, counts)
    targets = [(label, n) for label, n in sampler.sampling_strategy_.items() if n > 0]
    return data, targets, dict(zip(classes, counts, strict=True))


def _smote(sampler, X, y):
    import dask

    data, targets, counts_of = _prepare(sampler, X, y)
    sampler._validate_estimator()
    _check_budget(targets, counts_of, data.n_features, data.dtype)
    gathered = _gather_classes(data, [label for label, _ in targets])
    blocks = []
    for (label, n_new), X_class in zip(targets, gathered, strict=True):
        neighbours = sampler._class_neighbours(X_class, label)
        pieces = _pieces(n_new, data.chunk_rows)
        index_states, step_states, extra = _record_states(
            sampler.random_state,
            X_class.shape[0],
            neighbours.shape[1],
            pieces,
            sampler.base_selection,
        )
        # the gathered class goes to the workers once, not once per chunk task
        X_class_ref, neighbours_ref = share(X_class), share(neighbours)
        start = 0
        for size, index_state, step_state in zip(pieces, index_states, step_states, strict=True):
            values = dask.delayed(_synthetic_chunk, pure=True)(
                X_class_ref,
                neighbours_ref,
                (index_state, step_state),
                start,
                size,
                n_new,
                sampler.base_selection,
                extra,
            )
            blocks.append((values, size, label))
            start += size
    return _assemble(data, blocks)


def _smotenc_part(X_part, y_part, labels, categorical, continuous, is_frame):
    """Rows of the target classes, the categories seen, and the in-memory input checks."""
    _check_lengths(X_part, y_part)
    import pandas as pd

    take = (
        (lambda columns: X_part.iloc[:, columns])
        if is_frame
        else (lambda columns: np.asarray(X_part)[:, columns])
    )
    # The in-memory path checks the continuous features of every row (numeric, finite).
    check_array(take(continuous), ensure_min_samples=0, input_name="X")
    categories = [pd.unique(np.asarray(take([column])).ravel()) for column in categorical]
    y_part = np.asarray(y_part)
    mask = np.isin(y_part, np.asarray(labels, dtype=y_part.dtype))
    rows = X_part[mask] if is_frame else np.asarray(X_part)[mask]
    return rows, y_part[mask], categories


def _smotenc(sampler, X, y):
    """SMOTE-NC: the gathered classes are resampled on the client.

    The categorical vote breaks ties with one permutation over all synthetic rows of a class,
    so its rows cannot be produced chunk by chunk without that permutation; the synthetic rows
    of SMOTE-NC (not the original data) are therefore computed on the client, by the
    in-memory SMOTENC itself, and then split into output chunks.
    """
    import dask
    import dask.array as da
    import pandas as pd
    from sklearn.base import clone

    data, targets, counts_of = _prepare(sampler, X, y)
    if sampler.categorical_encoder is not None:
        raise ValueError(
            "SMOTENC on Dask input fits its own OneHotEncoder on the categories of the whole "
            "data; categorical_encoder must be None, got "
            f"{type(sampler.categorical_encoder).__name__}."
        )
    sampler._validate_column_types(data.meta())
    sampler._validate_estimator()
    # the class and its synthetic rows are both held on the client
    _check_budget(
        targets,
        {label: counts_of[label] + n_new for label, n_new in targets},
        data.n_features,
        data.dtype if data.dtype != object else np.float64,
        what="samples and synthetic samples",
    )
    labels = [label for label, _ in targets]
    categorical = sampler.categorical_features_.tolist()
    continuous = sampler.continuous_features_.tolist()
    part_task = dask.delayed(_smotenc_part, pure=True)
    parts = dask.compute(
        *[
            part_task(X_part, y_part, labels, categorical, continuous, data.is_frame)
            for X_part, y_part in zip(data.X_parts, data.y_parts, strict=True)
        ]
    )
    if not targets:
        return _assemble(data, [])

    # The encoder must see every category of the data, as in memory: pad the gathered rows
    # with rows (of a class that is not over-sampled) carrying the categories seen anywhere.
    categories = [
        pd.unique(np.concatenate([part[2][index] for part in parts]))
        for index in range(len(categorical))
    ]
    others = [label for label in counts_of if label not in set(labels)]
    if not others:
        raise ValueError(
            "SMOTENC on Dask input needs one class that is not over-sampled; "
            "sampling_strategy over-samples every class."
        )
    n_pad = max(c.shape[0] for c in categories)
    if data.is_frame:
        rows = pd.concat([part[0] for part in parts])
        padding = pd.DataFrame(
            {
                column: (
                    np.resize(categories[categorical.index(position)], n_pad)
                    if position in categorical
                    else np.zeros(n_pad)
                )
                for position, column in enumerate(data.columns)
            }
        ).astype(data.dtypes)
        X_small = pd.concat([rows, padding], ignore_index=True)
    else:
        rows = np.concatenate([part[0] for part in parts])
        padding = np.zeros((n_pad, data.n_features), dtype=data.dtype)
        for index, column in enumerate(categorical):
            padding[:, column] = np.resize(categories[index], n_pad)
        X_small = np.concatenate([rows, padding])
    y_rows = np.concatenate([part[1] for part in parts])
    y_small = np.concatenate([y_rows, np.full(n_pad, others[0], dtype=y_rows.dtype)])

    inner = clone(sampler).set_params(
        sampling_strategy={label: int(counts_of[label] + n_new) for label, n_new in targets}
    )
    X_out, _ = inner.fit_resample(X_small, y_small)
    for name in (
        "categorical_features_",
        "continuous_features_",
        "categorical_encoder_",
        "median_std_",
        "nn_k_",
        "n_features_",
    ):
        setattr(sampler, name, getattr(inner, name))
    synthetic = X_out.iloc[len(y_small) :] if data.is_frame else X_out[len(y_small) :]
    if not data.is_frame and synthetic.dtype != data.dtype:
        data.X = data.X.astype(synthetic.dtype)
        data.dtype = synthetic.dtype
    blocks, offset = [], 0
    for label, n_new in targets:
        for size in _pieces(n_new, data.chunk_rows):
            values = (
                synthetic.iloc[offset : offset + size]
                if data.is_frame
                else synthetic[offset : offset + size]
            )
            if not data.is_frame:
                values = da.from_array(np.ascontiguousarray(values), chunks=(size, -1))
            blocks.append((values, size, label))
            offset += size
    return _assemble(data, blocks)


def fit_resample_dask(sampler, X, y):
    """Lazy ``fit_resample`` of a skselect sampler on Dask collections."""
    from skselect.combine._smote_under import SMOTEUnderSampler
    from skselect.over_sampling._smote import SMOTENC

    if isinstance(sampler, SMOTEUnderSampler):
        from skselect.combine._smote_under_dask import smote_under_dask

        return smote_under_dask(sampler, X, y)
    if isinstance(sampler, SMOTENC):
        return _smotenc(sampler, X, y)
    return _smote(sampler, X, y)
