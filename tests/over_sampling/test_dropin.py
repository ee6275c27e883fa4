"""skselect's samplers where imbalanced-learn's go, and data frames of every kind in and out."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from imblearn.over_sampling import SMOTENC as ImblearnSMOTENC
from sklearn.datasets import make_classification

from skselect.combine import SMOTEUnderSampler
from skselect.over_sampling import SMOTE, SMOTENC


def _data(n=200, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=4, n_informative=3, n_redundant=0, weights=[0.2], random_state=seed
    )
    return X, y


def test_isinstance_of_imblearn_classes():
    assert isinstance(SMOTE(), ImblearnSMOTE)
    assert isinstance(SMOTENC(categorical_features=[0]), ImblearnSMOTENC)
    assert isinstance(SMOTENC(categorical_features=[0]), SMOTE)


@pytest.mark.parametrize("combined", [SMOTEENN, SMOTETomek])
def test_accepted_by_imblearn_combined_samplers_with_identical_output(combined):
    X, y = _data()
    ours = combined(smote=SMOTE(random_state=0), random_state=0).fit_resample(X, y)
    theirs = combined(smote=ImblearnSMOTE(random_state=0), random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


def _nullable_frame(X, rng):
    pd = pytest.importorskip("pandas", reason="pandas nullable dtypes")
    return pd.DataFrame(
        {
            "x0": X[:, 0],
            "x1": pd.array(np.round(X[:, 1] * 100).astype(np.int64), dtype="Int64"),
            "x2": pd.array(X[:, 2], dtype="Float64"),
            "flag": pd.array(X[:, 3] > 0, dtype="boolean"),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], size=len(X))),
        }
    )


def _polars_frame(X, rng):
    pl = pytest.importorskip("polars", reason="polars is an optional dependency")
    return pl.DataFrame(
        {
            "x0": X[:, 0],
            "x1": np.round(X[:, 1] * 100).astype(np.int64),
            "x2": X[:, 2].astype(np.float32),
            "flag": X[:, 3] > 0,
            "colour": pl.Series(rng.choice(["red", "green", "blue"], size=len(X))).cast(
                pl.Categorical
            ),
        }
    )


def _samplers():
    return {
        "SMOTE": lambda: SMOTE(random_state=0),
        "SMOTENC": lambda: SMOTENC(categorical_features=["colour"], random_state=0),
        "SMOTEUnderSampler": lambda: SMOTEUnderSampler(random_state=0),
    }


def _columns_for(sampler_name, frame, kind):
    if sampler_name == "SMOTENC":
        return frame
    return frame.drop("colour") if kind == "polars" else frame.drop(columns="colour")


@pytest.mark.parametrize("sampler_name", ["SMOTE", "SMOTENC", "SMOTEUnderSampler"])
@pytest.mark.parametrize("kind", ["pandas-nullable", "polars"])
def test_frames_round_trip_with_their_dtypes(sampler_name, kind):
    X, y = _data()
    rng = np.random.RandomState(0)
    if kind == "polars":
        pl = pytest.importorskip("polars", reason="polars is an optional dependency")
        frame = _columns_for(sampler_name, _polars_frame(X, rng), kind)
        y_in = pl.Series("target", y.astype(np.int32))
    else:
        pd = pytest.importorskip("pandas", reason="pandas nullable dtypes")
        frame = _columns_for(sampler_name, _nullable_frame(X, rng), kind)
        y_in = pd.Series(y, dtype="Int64", name="target")
    sampler = _samplers()[sampler_name]()
    X_res, y_res = sampler.fit_resample(frame, y_in)

    assert type(X_res) is type(frame)
    assert type(y_res) is type(y_in)
    if kind == "polars":
        assert X_res.schema == frame.schema
        assert y_res.dtype == y_in.dtype and y_res.name == "target"
        X_orig_np = {c: frame.get_column(c).to_numpy() for c in frame.columns}
        X_res_np = {c: X_res.get_column(c).to_numpy() for c in frame.columns}
        y_res_np = y_res.to_numpy()
    else:
        assert X_res.dtypes.to_dict() == frame.dtypes.to_dict()
        assert y_res.dtype == y_in.dtype
        X_orig_np = {c: frame[c].to_numpy() for c in frame.columns}
        X_res_np = {c: X_res[c].to_numpy() for c in frame.columns}
        y_res_np = y_res.to_numpy()

    # the same numbers as the plain NumPy path: originals kept, synthetic rows from provenance
    kept = sampler.sample_indices_
    is_synthetic = np.zeros(len(y_res_np), dtype=bool)
    is_synthetic[sampler.synthetic_indices_] = True
    for column, values in X_orig_np.items():
        np.testing.assert_array_equal(X_res_np[column][~is_synthetic], values[kept])
    np.testing.assert_array_equal(y_res_np[~is_synthetic], np.asarray(y)[kept])
    base, nn, gap = sampler.base_indices_, sampler.neighbor_indices_, sampler.gaps_
    x0 = X_orig_np["x0"]
    np.testing.assert_allclose(
        X_res_np["x0"][is_synthetic].astype(float), x0[base] + gap * (x0[nn] - x0[base])
    )
    # integer columns are truncated towards zero, boolean ones are "non-zero", as NumPy casts
    x1 = X_orig_np["x1"].astype(float)
    expected_x1 = np.trunc(x1[base] + gap * (x1[nn] - x1[base]))
    np.testing.assert_array_equal(X_res_np["x1"][is_synthetic].astype(float), expected_x1)
    flag = X_orig_np["flag"].astype(float)
    expected_flag = (flag[base] + gap * (flag[nn] - flag[base])) != 0
    np.testing.assert_array_equal(X_res_np["flag"][is_synthetic].astype(bool), expected_flag)


def test_nullable_missing_values_are_named():
    pd = pytest.importorskip("pandas", reason="pandas nullable dtypes")
    X, y = _data()
    frame = pd.DataFrame({"a": X[:, 0], "b": pd.array([1, None] * 100, dtype="Int64")})
    with pytest.raises(ValueError, match=r"Input X contains missing values .* \['b'\]"):
        SMOTE(random_state=0).fit_resample(frame, y)


def test_polars_missing_values_are_named():
    pl = pytest.importorskip("polars", reason="polars is an optional dependency")
    X, y = _data()
    frame = pl.DataFrame({"a": X[:, 0], "b": [1.0, None] * 100})
    with pytest.raises(ValueError, match="Input X contains missing values .null. in column 'b'"):
        SMOTE(random_state=0).fit_resample(frame, y)


def test_smotenc_auto_on_polars_categorical_matches_pandas_category():
    pl = pytest.importorskip("polars", reason="polars is an optional dependency")
    pd = pytest.importorskip("pandas", reason="pandas is the reference here")
    X, y = _data()
    rng = np.random.RandomState(1)
    colours = rng.choice(["red", "green"], size=len(y))
    frame_pl = pl.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": colours}).with_columns(
        pl.col("c").cast(pl.Categorical)
    )
    frame_pd = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": pd.Categorical(colours)})
    X_pl, _ = SMOTENC(categorical_features="auto", random_state=0).fit_resample(frame_pl, y)
    X_pd, _ = ImblearnSMOTENC(categorical_features="auto", random_state=0).fit_resample(frame_pd, y)
    np.testing.assert_array_equal(X_pl.get_column("a").to_numpy(), X_pd["a"].to_numpy())
    np.testing.assert_array_equal(
        X_pl.get_column("c").cast(pl.String).to_numpy(), X_pd["c"].astype(str).to_numpy()
    )


def test_smotenc_pandas_string_and_small_nullable_int_columns():
    pd = pytest.importorskip("pandas", reason="pandas nullable dtypes")
    rng = np.random.RandomState(0)
    n = 120
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": pd.array(rng.randint(0, 9, n), dtype="Int32"),
            "c": pd.array(rng.choice(["x", "y", "z"], n), dtype="string"),
        }
    )
    y = pd.Series(np.r_[np.zeros(90, dtype=int), np.ones(30, dtype=int)], dtype="Int64")
    sampler = SMOTENC(categorical_features=["c"], random_state=0)
    X_res, y_res = sampler.fit_resample(frame, y)
    assert X_res.dtypes.to_dict() == frame.dtypes.to_dict()
    assert y_res.dtype == y.dtype
    assert X_res.iloc[:n].equals(frame)
    assert set(X_res["c"].iloc[n:]) <= {"x", "y", "z"}
    # the same numbers as the NumPy-dtype frame through imbalanced-learn
    plain = frame.astype({"b": np.int32, "c": object})
    X_ref, _ = ImblearnSMOTENC(categorical_features=["c"], random_state=0).fit_resample(
        plain, y.astype(np.int64)
    )
    np.testing.assert_array_equal(X_res["a"].to_numpy(), X_ref["a"].to_numpy())
    np.testing.assert_array_equal(X_res["b"].to_numpy(dtype=np.int32), X_ref["b"].to_numpy())
    np.testing.assert_array_equal(X_res["c"].to_numpy(dtype=object), X_ref["c"].to_numpy())
