"""pandas end to end: DataFrames reach the wrapped models unchanged, results keep the index."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skselect.conformal import ConformalSelector, OptCSSelector

pd = pytest.importorskip("pandas", reason="pandas is an optional test dependency")


def _frame(seed, n, start):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "dose": rng.normal(size=n),
            "weight": rng.normal(size=n),
            "site": rng.choice(["a", "b", "c"], size=n),
            "noise": rng.normal(size=n),
        },
        # Compound ids: a non-default, non-contiguous string index.
        index=pd.Index([f"cpd-{start + 3 * i}" for i in range(n)], name="compound"),
    )
    y = 2.0 * frame["dose"] - frame["weight"] + (frame["site"] == "b") + rng.normal(size=n)
    return frame, y


def _pipeline(model):
    # Columns chosen by name: fails on a NumPy array ("Specifying the columns using strings
    # is only supported for dataframes").
    columns = ColumnTransformer(
        [
            ("num", StandardScaler(), ["dose", "weight"]),
            ("cat", OneHotEncoder(), ["site"]),
        ]
    )
    return make_pipeline(columns, model)


SELECTORS = {
    "cfbh": lambda: ConformalSelector(_pipeline(LinearRegression()), fdr=0.2, random_state=0),
    "wcs": lambda: ConformalSelector(
        _pipeline(LinearRegression()),
        method="wcs",
        weight_function=lambda X: np.exp(0.3 * X["dose"].to_numpy()),
        fdr=0.2,
        random_state=0,
    ),
    "optcs-ms": lambda: OptCSSelector(
        [_pipeline(LinearRegression()), _pipeline(Ridge(alpha=30.0))], fdr=0.2, random_state=0
    ),
    "optcs-full": lambda: OptCSSelector([_pipeline(Ridge())], mode="full", fdr=0.2, random_state=0),
}


@pytest.mark.parametrize("name", SELECTORS)
def test_pipeline_with_column_names_keeps_the_index(name):
    X, y = _frame(0, 40 if name == "optcs-full" else 300, start=100)
    X_test, _ = _frame(1, 25, start=7)
    selector = SELECTORS[name]()
    with warnings.catch_warnings():
        # Any feature-name warning (or other) fails the test.
        warnings.simplefilter("error")
        selector.fit(X, y)
        selected = selector.select(X_test)
        p_values = selector.p_values(X_test)
        report = selector.selection_report(X_test)
    assert selector.feature_names_in_.tolist() == ["dose", "weight", "site", "noise"]
    for result in (selected, p_values, report):
        assert result.index.equals(X_test.index)
    assert selected.dtype == bool and selected.name == "selected"
    if name != "optcs-full":
        assert selected.any(), "the signal is strong enough for a selection at fdr=0.2"
    assert np.array_equal(report["selected"].to_numpy(), selected.to_numpy())
    assert np.allclose(report["p_value"], p_values)
    assert ((p_values > 0) & (p_values <= 1)).all()
    if name.startswith("optcs"):
        assert set(report["model"]) <= {0, 1}
    # The wrapped model saw the DataFrame, names and all.
    fitted = selector.estimator_ if name in ("cfbh", "wcs") else None
    if fitted is not None:
        assert fitted[0].feature_names_in_.tolist() == ["dose", "weight", "site", "noise"]


def test_report_shows_the_bh_cutoff():
    X, y = _frame(2, 300, start=0)
    X_test, _ = _frame(3, 40, start=1000)
    selector = SELECTORS["cfbh"]().fit(X, y)
    report = selector.selection_report(X_test)
    cutoff = report.attrs["bh_cutoff"]
    assert cutoff == pytest.approx(0.2 * report["selected"].sum() / 40)
    assert (report["p_value_cutoff"] == cutoff).all()
    assert report["selected"].equals(report["p_value"] <= cutoff)
    assert list(report.columns) == [
        "prediction",
        "score",
        "p_value",
        "p_value_cutoff",
        "selected",
    ]
    # Independent check of the scores: -mu(x) for the clipped score.
    assert np.allclose(report["score"], -selector.estimator_.predict(X_test))


def test_array_input_gives_arrays_and_a_range_index_report():
    X, y = _frame(4, 200, start=0)
    selector = ConformalSelector(LinearRegression(), fdr=0.2, random_state=0)
    numeric = X[["dose", "weight"]].to_numpy()
    selector.fit(numeric, y.to_numpy())
    assert isinstance(selector.select(numeric[:10]), np.ndarray)
    assert selector.selection_report(numeric[:10]).index.equals(pd.RangeIndex(10))


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConformalSelector(LinearRegression(), threshold=50.0),
        lambda: OptCSSelector([LinearRegression()], threshold=50.0),
    ],
)
def test_warns_when_no_calibration_label_exceeds_the_threshold(make):
    X, y = _frame(5, 100, start=0)
    numeric = X[["dose", "weight"]].to_numpy()
    with pytest.warns(UserWarning, match=r"No calibration label exceeds threshold=50\.0"):
        selector = make().fit(numeric, y.to_numpy())
    assert not selector.select(numeric).any()


@pytest.mark.parametrize("name", ["cfbh", "wcs", "optcs-ms"])
def test_selection_display_draws_with_agg(name):
    matplotlib = pytest.importorskip(
        "matplotlib", reason="matplotlib is optional: SelectionDisplay needs it to draw"
    )
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skselect.conformal import SelectionDisplay

    X, y = _frame(6, 300, start=0)
    X_test, _ = _frame(7, 40, start=500)
    selector = SELECTORS[name]().fit(X, y)
    report = selector.selection_report(X_test)
    display = SelectionDisplay.from_estimator(selector, X_test)
    try:
        left, right = display.axes_
        # Left panel: one point per unit, selected ones in their own collection.
        counts = sorted(len(c.get_offsets()) for c in left.collections[:2])
        assert counts == sorted([int(report["selected"].sum()), 40 - int(report["selected"].sum())])
        # Right panel: the BH line q k / m over ranks 1..m.
        (bh_line,) = right.get_lines()
        assert np.allclose(bh_line.get_ydata(), 0.2 * np.arange(1, 41) / 40)
        sorted_p = right.collections[0].get_offsets()[:, 1]
        assert np.allclose(sorted_p, np.sort(report["p_value"]))
        assert f"{int(report['selected'].sum())} of 40 units selected" in right.get_title()
        # One Axes: the rank panel only.
        figure, ax = plt.subplots()
        only = SelectionDisplay.from_estimator(selector, X_test, ax=ax)
        assert only.axes_.shape == (1,) and only.figure_ is figure
    finally:
        plt.close("all")
