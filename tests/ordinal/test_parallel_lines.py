"""parallel_lines_test, and the proportional-odds fit, against R's ordinal::clm.

The R cross-checks run when ``Rscript`` with the ``ordinal`` package is installed (Debian:
``apt-get install r-base-core r-cran-ordinal``) and skip with that reason otherwise.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import shutil
import subprocess

import numpy as np
import pytest
from scipy.special import expit

from skselect.ordinal import ProportionalOddsClassifier, parallel_lines_test

_R_SCRIPT = r"""
suppressMessages(library(ordinal))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); d$y <- factor(d$y, ordered = TRUE)
features <- setdiff(names(d), "y")
ctl <- clm.control(gradTol = 1e-10, maxIter = 1000)
null <- clm(as.formula(paste("y ~", paste(features, collapse = "+"))), data = d, control = ctl)
out <- c(coef(null))
for (v in features) {
  rest <- setdiff(features, v)
  rhs <- if (length(rest)) paste(rest, collapse = "+") else "1"
  alt <- clm(as.formula(paste("y ~", rhs)), nominal = as.formula(paste("~", v)), data = d,
             control = ctl)
  out <- c(out, 2 * (as.numeric(logLik(alt)) - as.numeric(logLik(null))))
}
full <- clm(y ~ 1, nominal = as.formula(paste("~", paste(features, collapse = "+"))),
            data = d, control = ctl)
out <- c(out, 2 * (as.numeric(logLik(full)) - as.numeric(logLik(null))))
writeLines(format(out, digits = 15), args[2])
"""


def _non_parallel_data(n=600, seed=1):
    """Cumulative logit data whose boundaries do not cross on [-1, 1]^3 (interior optima)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    thresholds = np.array([-1.0, 0.0, 1.2])
    slopes = np.array([[1.0, 0.6, 0.0], [1.0, 0.0, 0.3], [1.0, -0.6, 0.6]])
    cumulative = expit(thresholds - X @ slopes.T)
    return X, (rng.uniform(size=(n, 1)) > cumulative).sum(axis=1)


def _run_r(X, y, tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed (apt-get install r-base-core r-cran-ordinal)")
    check = subprocess.run(
        ["Rscript", "-e", "library(ordinal)"], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        pytest.skip("the R package 'ordinal' is not installed (apt-get install r-cran-ordinal)")
    data = tmp_path / "data.csv"
    header = ",".join([f"x{j}" for j in range(X.shape[1])] + ["y"])
    np.savetxt(data, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    script = tmp_path / "check.R"
    script.write_text(_R_SCRIPT)
    out = tmp_path / "out.txt"
    subprocess.run(["Rscript", str(script), str(data), str(out)], check=True, timeout=120)
    return np.loadtxt(out)


def test_proportional_odds_and_parallel_lines_statistics_equal_r_clm(tmp_path):
    X, y = _non_parallel_data()
    r_values = _run_r(X, y, tmp_path)
    n_thresholds, n_features = 3, X.shape[1]
    # clm: logit P(y <= k) = theta_k - x . beta, the convention of intercept_ and coef_.
    po = ProportionalOddsClassifier().fit(X, y)
    np.testing.assert_allclose(po.intercept_, r_values[:n_thresholds], atol=1e-4)
    np.testing.assert_allclose(po.coef_, r_values[n_thresholds : n_thresholds + 3], atol=1e-4)
    result = parallel_lines_test(X, y)
    r_statistic = r_values[n_thresholds + n_features : -1]
    np.testing.assert_allclose(result.statistic, r_statistic, atol=1e-4)
    assert result.omnibus_statistic == pytest.approx(r_values[-1], abs=1e-4)
    assert result.df == 2 and result.omnibus_df == 6
    # the truth: feature 0 parallel, 1 and 2 not
    assert result.pvalue[0] > 0.05 and result.pvalue[1] < 1e-3 and result.pvalue[2] < 0.01


def test_integer_weights_equal_repetition():
    X, y = _non_parallel_data(n=200, seed=2)
    weights = np.random.default_rng(3).integers(0, 3, size=len(y))
    weighted = parallel_lines_test(X, y, sample_weight=weights)
    repeated = parallel_lines_test(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.statistic, repeated.statistic, atol=1e-6)
    assert weighted.omnibus_statistic == pytest.approx(repeated.omnibus_statistic, abs=1e-6)


def test_feature_names_from_a_dataframe_and_two_classes_refused():
    pd = pytest.importorskip("pandas")
    X, y = _non_parallel_data(n=200, seed=4)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    assert parallel_lines_test(frame, y).feature_names.tolist() == ["a", "b", "c"]
    with pytest.raises(ValueError, match="at least 3 ordered classes"):
        parallel_lines_test(X, (y > 1).astype(int))


@pytest.mark.slow
def test_level_under_proportional_odds():
    # Data from a proportional-odds model: each per-feature p-value is (asymptotically) uniform,
    # so P(p < 0.1) = 0.1. 150 data sets x 2 features; Monte-Carlo s.e. of the rejection rate
    # about sqrt(0.09 / 300) = 0.017 (the two features of a data set are not independent, so
    # allow 3.5 s.e. of the independent case).
    rng = np.random.default_rng(5)
    rejections = []
    for _ in range(150):
        X = rng.uniform(-1, 1, size=(300, 2))
        cumulative = expit(np.array([-1.0, 0.0, 1.0]) - (X @ [1.0, -0.5])[:, None])
        y = (rng.uniform(size=(300, 1)) > cumulative).sum(axis=1)
        rejections.extend(parallel_lines_test(X, y).pvalue < 0.1)
    assert abs(np.mean(rejections) - 0.1) < 3.5 * np.sqrt(0.09 / len(rejections))
