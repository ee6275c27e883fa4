"""Input checks shared by the samplers, and polars / pandas nullable data in and out.

imbalanced-learn's samplers round-trip NumPy arrays, sparse matrices and pandas objects with
NumPy dtypes. The helpers here bring a polars DataFrame or Series, and pandas columns with
nullable extension dtypes (``Int64``, ``Float64``, ``boolean``, ``string``), to those kinds
before resampling and give the result back in the kind and dtypes of the input.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers
import sys

import numpy as np


def _is_polars(obj, kind):
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(obj, getattr(polars, kind))


def _is_pandas(obj, kind):
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(obj, getattr(pandas, kind))


def _pandas_numpy_dtype(dtype):
    """The NumPy-backed pandas dtype standing in for a nullable extension dtype, or None."""
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype) or isinstance(dtype, np.dtype):
        return None
    if isinstance(dtype, pd.BooleanDtype):
        return np.dtype(bool)
    if isinstance(dtype, (pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype)):
        return np.dtype(dtype.numpy_dtype)
    if isinstance(dtype, (pd.UInt8Dtype, pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype)):
        return np.dtype(dtype.numpy_dtype)
    if isinstance(dtype, (pd.Float32Dtype, pd.Float64Dtype)):
        return np.dtype(dtype.numpy_dtype)
    if isinstance(dtype, pd.StringDtype):
        return np.dtype(object)
    return None


def _reject_missing(frame_or_series, name):
    missing = frame_or_series.isna()
    if getattr(missing, "ndim", 1) == 2:
        columns = [str(c) for c, has in missing.any(axis=0).items() if has]
        if columns:
            raise ValueError(
                f"Input {name} contains missing values (pd.NA or NaN) in columns {columns}; "
                "SMOTE interpolates between samples and needs every value. Impute or drop "
                "them first."
            )
    elif missing.any():
        raise ValueError(
            f"Input {name} contains missing values (pd.NA or NaN); every sample needs a "
            "label. Drop those samples first."
        )


def _from_polars_frame(X):
    """A pandas DataFrame (or, without pandas, a NumPy array) holding the polars frame."""
    import polars as pl

    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas ships with every test environment
        return X.to_numpy()
    columns = {}
    for name, dtype in X.schema.items():
        column = X.get_column(name)
        if column.null_count():
            raise ValueError(
                f"Input X contains missing values (null) in column {name!r}; SMOTE "
                "interpolates between samples and needs every value. Impute or drop them first."
            )
        if isinstance(dtype, (pl.Categorical, pl.Enum)):
            columns[name] = pd.Categorical(column.cast(pl.String).to_numpy())
        else:
            columns[name] = column.to_numpy()
    return pd.DataFrame(columns)


def _to_polars_frame(X_res, schema):
    import polars as pl

    if hasattr(X_res, "columns"):
        data = {name: np.asarray(X_res[name]) for name in X_res.columns}
    else:
        X_res = np.asarray(X_res)
        data = {name: X_res[:, j] for j, name in enumerate(schema)}
    columns = []
    for name, dtype in schema.items():
        values = data[name]
        if values.dtype == object:
            values = values.astype(str) if dtype in (pl.String, pl.Utf8) else values.tolist()
        columns.append(pl.Series(name, values).cast(dtype))
    return pl.DataFrame(columns)


def to_supported(X, y):
    """Bring polars and pandas nullable inputs to the kinds imbalanced-learn round-trips.

    Returns ``X``, ``y`` and a function mapping the resampled pair back to the input's kind.
    """
    restore_X = restore_y = None

    if _is_polars(X, "DataFrame"):
        schema = X.schema
        X = _from_polars_frame(X)

        def restore_X(X_res):
            return _to_polars_frame(X_res, schema)

    elif _is_pandas(X, "DataFrame"):
        replaced = {c: _pandas_numpy_dtype(d) for c, d in X.dtypes.items()}
        replaced = {c: d for c, d in replaced.items() if d is not None}
        if replaced:
            _reject_missing(X[list(replaced)], "X")
            original = X.dtypes
            X = X.astype(replaced)

            def restore_X(X_res):
                if not hasattr(X_res, "astype") or not hasattr(X_res, "columns"):
                    return X_res
                return X_res.astype({c: original[c] for c in replaced})

    if _is_polars(y, "Series"):
        import polars as pl

        if y.null_count():
            raise ValueError(
                "Input y contains missing values (null); every sample needs a label. Drop "
                "those samples first."
            )
        y_name, y_dtype = y.name, y.dtype
        y = y.to_numpy()

        def restore_y(y_res):
            values = np.asarray(y_res)
            if values.dtype == object:
                values = values.tolist()
            return pl.Series(y_name, values).cast(y_dtype)

    elif _is_pandas(y, "Series"):
        numpy_dtype = _pandas_numpy_dtype(y.dtype)
        if numpy_dtype is not None:
            _reject_missing(y, "y")
            y_dtype = y.dtype
            y = y.astype(numpy_dtype)

            def restore_y(y_res):
                return y_res.astype(y_dtype) if hasattr(y_res, "astype") else y_res

    def restore(X_res, y_res):
        if restore_X is not None:
            X_res = restore_X(X_res)
        if restore_y is not None:
            y_res = restore_y(y_res)
        return X_res, y_res

    return X, y, restore


def check_labels(y):
    """A label vector mixing types fails inside NumPy's sort otherwise: say so."""
    # Lengths are checked by each sampler's own validation (SMOTENC's before any kernel),
    # after the errors imbalanced-learn reports first.
    if y is None:
        raise ValueError(
            "y=None: resampling needs y, the class label of every row of X (an array-like of "
            "shape (n_samples,))."
        )
    labels = np.asarray(y)
    if labels.dtype == object and labels.size:
        kinds = set()
        for value in labels.ravel():
            if isinstance(value, str):
                kinds.add("str")
            elif isinstance(value, (numbers.Number, np.generic)):
                kinds.add("number")
            else:
                kinds.add(type(value).__name__)
        if len(kinds) > 1:
            raise TypeError(
                "y mixes labels of different types "
                f"({', '.join(sorted(kinds))}); the classes of y must be sortable, so all "
                "labels must be numbers or all strings. Convert them, e.g. y.astype(str)."
            )
