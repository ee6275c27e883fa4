"""SMOTER, SMOGN and the random relevance samplers: geometry, counts, reproducibility,
containers, pipelines and error messages."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold

from skselect.over_sampling import (
    SMOGN,
    SMOTER,
    RelevanceRandomOverSampler,
    RelevanceRandomUnderSampler,
    relevance,
)

SAMPLERS = [SMOTER, SMOGN, RelevanceRandomOverSampler, RelevanceRandomUnderSampler]


def _data(n=400, n_features=4, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features)).astype(dtype)
    y = (np.exp(X[:, 0] + 0.5 * rng.normal(size=n)) - X[:, 1]).astype(dtype)
    return X, y


def _on_segment(x, a, b, atol=1e-9):
    """Whether ``x`` lies on the segment [a, b] (row-wise)."""
    d = b - a
    denominator = np.einsum("ij,ij->i", d, d)
    t = np.where(
        denominator > 0,
        np.einsum("ij,ij->i", x - a, d) / np.where(denominator > 0, denominator, 1),
        0,
    )
    projection = a + t[:, None] * d
    return (np.abs(x - projection).max(axis=1) <= atol) & (t >= -atol) & (t <= 1 + atol)


def test_smoter_rows_lie_on_segments_and_targets_between():
    X, y = _data()
    sampler = SMOTER(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    synthetic = sampler.synthetic_indices_
    assert synthetic.size > 0
    base, nn = sampler.base_indices_, sampler.neighbor_indices_
    assert _on_segment(X_res[synthetic], X[base], X[nn]).all()
    assert_allclose(X_res[synthetic], X[base] + sampler.gaps_[:, None] * (X[nn] - X[base]))
    low, high = np.minimum(y[base], y[nn]), np.maximum(y[base], y[nn])
    assert ((y_res[synthetic] >= low) & (y_res[synthetic] <= high)).all()
    assert_allclose(y_res[synthetic], (1 - sampler.gaps_) * y[base] + sampler.gaps_ * y[nn])
    # seed and neighbour come from the same bin
    assert_array_equal(sampler.bin_indices_[base], sampler.bin_indices_[nn])
    # the original rows are kept unchanged
    assert_array_equal(
        X_res[sampler.sample_indices_.size * 0 : sampler.sample_indices_.size],
        X[sampler.sample_indices_],
    )


def test_smogn_rows_are_interpolated_or_noise_within_bound():
    X, y = _data()
    sampler = SMOGN(random_state=0, perturbation=0.02)
    X_res, y_res = sampler.fit_resample(X, y)
    synthetic = sampler.synthetic_indices_
    noise = sampler.noise_mask_
    assert noise.any() and (~noise).any()
    base, nn = sampler.base_indices_, sampler.neighbor_indices_
    interpolated = synthetic[~noise]
    assert _on_segment(X_res[interpolated], X[base[~noise]], X[nn[~noise]]).all()
    low, high = np.minimum(y[base], y[nn]), np.maximum(y[base], y[nn])
    assert ((y_res[interpolated] >= low[~noise]) & (y_res[interpolated] <= high[~noise])).all()
    # noisy rows: seed plus at most 6 standard deviations of the noise, per feature
    bins = sampler.bin_indices_
    for row, seed in zip(synthetic[noise], base[noise]):
        members = bins == bins[seed]
        bound = 6 * 0.02 * X[members].std(axis=0)
        assert (np.abs(X_res[row] - X[seed]) <= bound + 1e-12).all()
        low, high = sampler.bin_ranges_[bins[seed]]
        assert low <= y_res[row] <= high
        assert abs(y_res[row] - y[seed]) <= 6 * 0.02 * y[members].std() + 1e-12
    assert_array_equal(nn[noise], base[noise])


def _heom_neighbour_distances(X, members, seed, k):
    """Distances of ``seed`` to its k nearest neighbours in the bin, features / bin range."""
    from sklearn.neighbors import NearestNeighbors

    ranges = np.ptp(X[members], axis=0)
    ranges[ranges == 0] = 1
    search = X[members] / ranges
    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(search).kneighbors(X[[seed]] / ranges)
    return distances[0, 1:], ranges


def test_smogn_interpolates_only_towards_safe_neighbours():
    X, y = _data(n=300, n_features=2, seed=3)
    sampler = SMOGN(random_state=1, k_neighbors=4)
    sampler.fit_resample(X, y)
    bins = sampler.bin_indices_
    interpolated = ~sampler.noise_mask_
    assert interpolated.any()
    # a neighbour is safe when closer than half the median distance to the k neighbours
    for seed, nn in zip(
        sampler.base_indices_[interpolated], sampler.neighbor_indices_[interpolated]
    ):
        members = np.flatnonzero(bins == bins[seed])
        distances, ranges = _heom_neighbour_distances(X, members, seed, 4)
        assert np.linalg.norm((X[seed] - X[nn]) / ranges) < np.median(distances) / 2


@pytest.mark.parametrize("Sampler", SAMPLERS)
@pytest.mark.parametrize("strategy", ["balance", "extreme"])
def test_per_bin_counts_equal_the_strategy(Sampler, strategy):
    X, y = _data()
    sampler = Sampler(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    counts = np.bincount(sampler.bin_indices_)
    n_bins = counts.size
    assert n_bins >= 2
    if strategy == "balance":
        wanted = np.full(n_bins, counts.sum() / n_bins)
    else:
        weights = (counts.sum() / n_bins) ** 2 / counts
        wanted = weights * counts.sum() / weights.sum()
    if Sampler is RelevanceRandomOverSampler:
        wanted = wanted * np.max(counts / wanted)
    elif Sampler is RelevanceRandomUnderSampler:
        wanted = wanted * np.min(counts / wanted)
    expected = np.floor(wanted + 0.5).astype(int)
    assert [sampler.sampling_strategy_[b] for b in range(n_bins)] == expected.tolist()
    # count the output rows per bin through the provenance
    origin = (
        np.r_[sampler.sample_indices_, sampler.base_indices_]
        if hasattr(sampler, "base_indices_")
        else sampler.sample_indices_
    )
    assert_array_equal(np.bincount(sampler.bin_indices_[origin], minlength=n_bins), expected)
    assert X_res.shape[0] == y_res.shape[0] == expected.sum()


def test_dict_strategy_multiplies_named_bins():
    X, y = _data()
    sampler = SMOTER(relevance="high", sampling_strategy={0: 0.5, 1: 3.0}, random_state=0)
    sampler.fit_resample(X, y)
    counts = np.bincount(sampler.bin_indices_)
    assert sampler.sampling_strategy_ == {
        0: int(np.floor(counts[0] * 0.5 + 0.5)),
        1: int(counts[1] * 3),
    }


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_same_random_state_same_output(Sampler):
    X, y = _data()
    X1, y1 = Sampler(random_state=7).fit_resample(X, y)
    X2, y2 = Sampler(random_state=7).fit_resample(X, y)
    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)
    X3, _ = Sampler(random_state=8).fit_resample(X, y)
    assert X3.shape != X1.shape or not np.array_equal(X1, X3)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_input_untouched_float32_kept(Sampler):
    X, y = _data(dtype=np.float32)
    X_copy, y_copy = X.copy(), y.copy()
    X_res, y_res = Sampler(random_state=0).fit_resample(X, y)
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    assert X_res.dtype == np.float32 and y_res.dtype == np.float32


def test_integer_target_comes_back_float_for_interpolation():
    X, y = _data()
    y_int = np.round(y * 10).astype(np.int64)
    _, y_res = SMOTER(random_state=0).fit_resample(X, y_int)
    assert y_res.dtype == np.float64
    _, y_res = RelevanceRandomOverSampler(random_state=0).fit_resample(X, y_int)
    assert y_res.dtype == np.int64


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_pandas_and_polars_round_trip(Sampler):
    pd = pytest.importorskip("pandas")
    X, y = _data()
    X_res, y_res = Sampler(random_state=0).fit_resample(X, y)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    series = pd.Series(y, name="target")
    X_df, y_s = Sampler(random_state=0).fit_resample(frame, series)
    assert list(X_df.columns) == list(frame.columns) and y_s.name == "target"
    assert_allclose(X_df.to_numpy(), X_res)
    assert_allclose(y_s.to_numpy(), y_res)
    pl = pytest.importorskip("polars")
    X_pl, y_pl = Sampler(random_state=0).fit_resample(pl.from_pandas(frame), pl.Series("t", y))
    assert isinstance(X_pl, pl.DataFrame) and isinstance(y_pl, pl.Series)
    assert_allclose(X_pl.to_numpy(), X_res)
    assert_allclose(y_pl.to_numpy(), y_res)


def test_categorical_features_take_a_category_of_the_pair():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["colour"] = rng.choice(["red", "green", "blue"], size=len(y))
    for Sampler in (SMOTER, SMOGN):
        sampler = Sampler(categorical_features=["colour"], random_state=0)
        X_res, y_res = sampler.fit_resample(frame, y)
        assert set(X_res["colour"]) <= {"red", "green", "blue"}
        synthetic = sampler.synthetic_indices_
        new = X_res["colour"].to_numpy()[synthetic]
        base = frame["colour"].to_numpy()[sampler.base_indices_]
        nn = frame["colour"].to_numpy()[sampler.neighbor_indices_]
        assert ((new == base) | (new == nn)).all()
        assert_array_equal(sampler.categorical_features_, [4])
    # indices and masks name the same column
    a = SMOTER(categorical_features=[4], random_state=0).fit_resample(frame, y)[0]
    b = SMOTER(categorical_features=[False] * 4 + [True], random_state=0).fit_resample(frame, y)[0]
    assert a.equals(b)


def test_resample_array_follows_the_resampling():
    X, y = _data()
    sampler = SMOTER(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert_allclose(sampler.resample_array(y, interpolate=True), y_res)
    assert_allclose(sampler.resample_array(X[:, 0], interpolate=True), X_res[:, 0])


def test_pipeline_with_a_regressor_and_grid_search_with_sera():
    from skselect.metrics import sera_scorer

    X, y = _data()
    pipe = Pipeline([("smogn", SMOGN(random_state=0)), ("ridge", Ridge())])
    pipe.fit(X, y)
    assert pipe.predict(X).shape == y.shape
    search = GridSearchCV(
        pipe,
        {"smogn__k_neighbors": [3, 5], "ridge__alpha": [0.1, 10.0]},
        scoring=sera_scorer(),
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(X, y)
    assert np.all(search.cv_results_["mean_test_score"] <= 0)
    assert set(search.best_params_) == {"smogn__k_neighbors", "ridge__alpha"}


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_nan_target_is_refused(Sampler):
    X, y = _data()
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        Sampler().fit_resample(X, y)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_constant_target_has_no_rare_case(Sampler):
    X, _ = _data()
    with pytest.raises(ValueError, match="relevance_threshold=0.5.*y is constant"):
        Sampler().fit_resample(X, np.full(X.shape[0], 2.0))


def test_uniform_target_without_extremes_says_what_to_do():
    X, _ = _data()
    y = np.linspace(0, 1, X.shape[0])
    with pytest.raises(ValueError, match="Lower relevance_threshold"):
        SMOTER().fit_resample(X, y)


@pytest.mark.parametrize("Sampler", [SMOTER, SMOGN])
def test_k_neighbors_too_big_names_the_bin_and_the_largest_k(Sampler):
    X, _ = _data(n=60, seed=0)
    y = np.linspace(0, 1, 60)
    y[-3:] += 100  # a high rare bin of three samples
    points = [[1, 0, 0], [100, 1, 0]]
    sampler = Sampler(relevance=points, k_neighbors=5)
    with pytest.raises(ValueError, match=r"bin 1 \(rare.*has only 3\. Use k_neighbors <= 2"):
        sampler.fit_resample(X, y)
    Sampler(relevance=points, k_neighbors=2, random_state=0).fit_resample(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"sampling_strategy": {9: 2.0}}, "names bin 9"),
        ({"sampling_strategy": {1: -1.0}}, "ratios must be finite non-negative"),
        ({"sampling_strategy": "auto"}, "sampling_strategy"),
        ({"relevance_threshold": 0.0}, "relevance_threshold"),
        ({"relevance": [[0, 2, 0]]}, r"\[0, 1\]"),
        ({"categorical_features": [7]}, "out of range"),
        ({"categorical_features": [0, 1, 2, 3]}, "every feature"),
        ({"k_neighbors": 0}, "k_neighbors"),
    ],
)
def test_bad_parameters_name_the_argument(params, match):
    X, y = _data()
    with pytest.raises((ValueError, TypeError), match=match):
        SMOTER(**params).fit_resample(X, y)


def test_direction_of_random_samplers_is_enforced():
    X, y = _data()
    with pytest.raises(ValueError, match="only adds samples"):
        RelevanceRandomOverSampler(sampling_strategy={0: 0.5}).fit_resample(X, y)
    with pytest.raises(ValueError, match="only removes samples"):
        RelevanceRandomUnderSampler(sampling_strategy={0: 2.0}).fit_resample(X, y)


def test_mismatched_lengths_and_bad_y_shapes():
    X, y = _data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SMOTER().fit_resample(X, y[:-1])
    with pytest.raises(ValueError, match="one-dimensional"):
        SMOTER().fit_resample(X, np.c_[y, y])
    with pytest.raises(ValueError, match="requires y to be passed"):
        SMOTER().fit_resample(X, None)


def test_sparse_input_for_random_samplers_only():
    from scipy import sparse

    X, y = _data()
    X_res, y_res = RelevanceRandomOverSampler(random_state=0).fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_res)
    dense, _ = RelevanceRandomOverSampler(random_state=0).fit_resample(X, y)
    assert_allclose(X_res.toarray(), dense)
    with pytest.raises(TypeError, match="[Ss]parse"):
        SMOTER().fit_resample(sparse.csr_matrix(X), y)


def test_rare_bins_gain_relevance_mass():
    X, y = _data()
    _, y_res = SMOGN(random_state=0).fit_resample(X, y)
    points = SMOGN(random_state=0).fit(X, y).control_points_
    assert (
        relevance(y_res, control_points=points).mean() > relevance(y, control_points=points).mean()
    )


def test_fit_resampled_carries_sample_weight_through_smogn():
    from skselect.over_sampling import FitResampled

    X, y = _data()
    weights = np.linspace(1, 2, len(y))
    model = FitResampled(SMOGN(random_state=0), Ridge(), interpolate=("sample_weight",))
    model.fit(X, y, sample_weight=weights)
    sampler = model.sampler_
    expected = sampler.resample_array(weights, interpolate=True)
    assert expected.shape == (sampler.sample_indices_.size + sampler.base_indices_.size,)
    assert np.all((expected >= 1) & (expected <= 2))
    assert model.predict(X[:5]).shape == (5,)


def test_fit_does_not_need_rare_cases_but_fit_resample_does():
    X, _ = _data()
    y = np.linspace(0, 1, X.shape[0])
    sampler = SMOTER().fit(X, y)
    assert not sampler.rare_bins_.any()
    with pytest.raises(ValueError, match="No target value of y has relevance"):
        sampler.fit_resample(X, y)


def test_all_rare_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="all are rare"):
        SMOTER(relevance=[[y.min() - 1, 1, 0], [y.max() + 1, 1, 0]]).fit_resample(X, y)


def test_smogn_noise_level_is_capped_by_the_safe_distance():
    # every sample has five near-copies: the safe distances (about 1e-4 of the bin's range)
    # are far below perturbation=0.02, and the paper's noise level
    # min(perturbation, safe distance) follows them
    X, y = _data(n=60)
    rng = np.random.RandomState(0)
    X = np.repeat(X, 6, axis=0) + 1e-5 * rng.normal(size=(360, X.shape[1]))
    y = np.repeat(y, 6)
    sampler = SMOGN(random_state=0, perturbation=0.02)
    X_res, _ = sampler.fit_resample(X, y)
    noise = sampler.noise_mask_
    assert noise.sum() > 20
    bins = sampler.bin_indices_
    for row, seed in zip(sampler.synthetic_indices_[noise], sampler.base_indices_[noise]):
        members = np.flatnonzero(bins == bins[seed])
        distances, _ = _heom_neighbour_distances(X, members, seed, 5)
        level = min(0.02, np.median(distances) / 2)
        assert level < 0.002
        bound = 6 * level * X[members].std(axis=0)
        assert np.all(np.abs(X_res[row] - X[seed]) <= bound + 1e-15)


@pytest.mark.parametrize("Sampler", [SMOTER, SMOGN])
def test_neighbours_do_not_depend_on_feature_units(Sampler):
    # HEOM divides every feature by its range in the bin: a feature in other units (a power
    # of two, so the division is exact) changes no neighbour and no draw
    X, y = _data()
    first = Sampler(random_state=0).fit(X, y)
    first.fit_resample(X, y)
    second = Sampler(random_state=0)
    second.fit_resample(X * np.array([1.0, 1024.0, 1.0, 2.0**-20]), y)
    assert_array_equal(first.base_indices_, second.base_indices_)
    assert_array_equal(first.neighbor_indices_, second.neighbor_indices_)
    assert_array_equal(first.gaps_, second.gaps_)
    if Sampler is SMOGN:
        assert_array_equal(first.noise_mask_, second.noise_mask_)


# -- what the user guide and the docstrings promise ------------------------------------------


@pytest.mark.parametrize("Sampler", [SMOTER, SMOGN])
def test_seeds_of_a_bin_are_used_in_turn(Sampler):
    """Each seed of a growing bin is a base n_new // n_bin times, some once more."""
    X, y = _data()
    sampler = Sampler(sampling_strategy="extreme", random_state=0)
    sampler.fit_resample(X, y)
    counts = np.bincount(sampler.bin_indices_)
    bases = sampler.base_indices_
    growing = [b for b in range(counts.size) if sampler.sampling_strategy_[b] > counts[b]]
    assert growing
    for b in growing:
        n_new = sampler.sampling_strategy_[b] - counts[b]
        quotient, remainder = divmod(n_new, counts[b])
        members = np.flatnonzero(sampler.bin_indices_ == b)
        uses = np.array([(bases == member).sum() for member in members])
        assert set(uses.tolist()) <= {quotient, quotient + 1}
        assert (uses == quotient + 1).sum() == remainder


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_kept_rows_in_input_order_then_synthetic_rows_bin_by_bin(Sampler):
    X, y = _data()
    sampler = Sampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    kept = sampler.sample_indices_
    assert np.all(np.diff(kept) > 0)
    assert_array_equal(X_res[: kept.size], X[kept])
    assert_array_equal(y_res[: kept.size], y[kept])
    if Sampler is not RelevanceRandomUnderSampler:
        assert np.all(np.diff(sampler.bin_indices_[sampler.base_indices_]) >= 0)
    # shrinking bins keep a subset of their own rows, growing bins all of theirs
    counts = np.bincount(sampler.bin_indices_)
    kept_counts = np.bincount(sampler.bin_indices_[kept], minlength=counts.size)
    for b in range(counts.size):
        assert kept_counts[b] == min(counts[b], sampler.sampling_strategy_[b])


def test_random_over_sampler_copies_rows_with_their_targets():
    X, y = _data()
    sampler = RelevanceRandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    synthetic, base = sampler.synthetic_indices_, sampler.base_indices_
    assert synthetic.size > 0
    assert_array_equal(X_res[synthetic], X[base])
    assert_array_equal(y_res[synthetic], y[base])
    # a copy's neighbour is its base and its gap 0
    assert_array_equal(sampler.neighbor_indices_, base)
    assert_array_equal(sampler.gaps_, 0.0)


def test_extreme_makes_rare_bins_larger_than_normal_ones():
    X, y = _data()
    sampler = SMOTER(sampling_strategy="extreme", random_state=0).fit(X, y)
    sizes = np.array([sampler.sampling_strategy_[b] for b in range(sampler.rare_bins_.size)])
    assert sizes[sampler.rare_bins_].min() > sizes[~sampler.rare_bins_].max()


@pytest.mark.parametrize("Sampler", [SMOTER, SMOGN])
def test_n_jobs_never_changes_the_output(Sampler):
    X, y = _data()
    X_one, y_one = Sampler(n_jobs=1, random_state=0).fit_resample(X, y)
    X_two, y_two = Sampler(n_jobs=2, random_state=0).fit_resample(X, y)
    assert_array_equal(X_one, X_two)
    assert_array_equal(y_one, y_two)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_random_state_instance_is_the_generator_of_the_whole_call(Sampler):
    X, y = _data()
    X_int, y_int = Sampler(random_state=3).fit_resample(X, y)
    rng = np.random.RandomState(3)
    X_rng, y_rng = Sampler(random_state=rng).fit_resample(X, y)
    assert_array_equal(X_int, X_rng)
    assert_array_equal(y_int, y_rng)


def _with_colour(seed=0):
    pd = pytest.importorskip("pandas")
    X, y = _data(seed=seed)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["colour"] = np.random.RandomState(seed).choice(["red", "green", "blue"], size=len(y))
    return frame, y


def test_smoter_category_is_that_of_the_nearer_end():
    frame, y = _with_colour()
    sampler = SMOTER(categorical_features=["colour"], random_state=0)
    X_res, _ = sampler.fit_resample(frame, y)
    colour = frame["colour"].to_numpy()
    new = X_res["colour"].to_numpy()[sampler.synthetic_indices_]
    nearer = np.where(sampler.gaps_ < 0.5, sampler.base_indices_, sampler.neighbor_indices_)
    assert_array_equal(new, colour[nearer])


def test_smogn_noisy_rows_keep_the_seeds_categories():
    frame, y = _with_colour()
    sampler = SMOGN(categorical_features=["colour"], random_state=0)
    X_res, _ = sampler.fit_resample(frame, y)
    noise = sampler.noise_mask_
    assert noise.any()
    new = X_res["colour"].to_numpy()[sampler.synthetic_indices_]
    seeds = sampler.base_indices_[noise]
    assert_array_equal(new[noise], frame["colour"].to_numpy()[seeds])


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_dask_input_is_refused_naming_the_sampler(Sampler):
    da = pytest.importorskip("dask.array", reason="needs the optional dask extra")
    X, y = _data()
    with pytest.raises(TypeError, match=f"{Sampler.__name__} has no Dask code path"):
        Sampler(random_state=0).fit_resample(da.from_array(X, chunks=100), y)
