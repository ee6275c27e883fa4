"""PPP: probabilistic partitive partitioning, clustering that finds its own number of clusters."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from skselect.cluster._ppp._fast import (
    gaussian_log_densities,
    quantized_row_hashes,
    row_hashes,
)
from skselect.cluster._ppp._mixture import MixtureConfig, assign, merge_and_refine
from skselect.cluster._ppp._tree import TreeConfig, grow_tree
from skselect.utils._dask import dask_implementation, is_dask_collection
from skselect.utils._parallel import _kernel_n_threads

# Rows (the first in the geometric order) on which the mixture is refined and merges are
# tested; every row is then assigned to the refined mixture. The sample holds at least
# REFINE_ROWS_PER_PARAMETER rows per leaf and feature (plus one), at least
# REFINE_SAMPLE_MIN and at most REFINE_SAMPLE_MAX rows. Measured on 10^5 rows in 100 clusters
# (2-D): 2^15 rows gave the k and ARI of 2^16 and 2^17 (100 clusters, ARI 0.982 and 1.000 on
# two grids) in 0.55 and 0.35 of the time; each refinement pass costs rows x components.
REFINE_SAMPLE_MIN = 1 << 15
REFINE_SAMPLE_MAX = 1 << 17
REFINE_ROWS_PER_PARAMETER = 32


# A feature whose spread is at most this fraction of its magnitude is constant: what varies
# is rounding (a constant column shifted by b has a computed spread near 1e-17) or a change
# in the last digits, and dividing by such a spread would blow rounding up into a feature.
CONSTANT_SPREAD = 1e-9
# Cells per standard deviation of the grid whose cells order the rows (see _geometric_order).
ORDER_GRID_RESOLUTION = 1024


def _order_grid(magnitude, moments):
    """``(shift, inverse_step)`` of the cells that order the rows (see _geometric_order).

    ``magnitude`` is every feature's largest absolute value and ``moments(power)`` returns
    the features' means and standard deviations after division by ``power``: a callable, so
    that in-memory and Dask data share the rule.
    """
    magnitude = np.asarray(magnitude, dtype=np.float64)
    # Divided by a power of two near each feature's magnitude (exact), no moment overflows;
    # one power less than the dtype's largest in its top binade, where 2**maxexp is inf.
    _, exponent = np.frexp(np.where(magnitude > 0, magnitude, 1.0))
    power = np.ldexp(1.0, np.minimum(exponent, np.finfo(np.float64).maxexp - 1))
    mean, spread = moments(power)
    spread = np.array(spread, dtype=np.float64)
    spread[~(spread > CONSTANT_SPREAD)] = 1.0
    return np.asarray(mean, dtype=np.float64) * power, ORDER_GRID_RESOLUTION / (spread * power)


def _cell_hashes(X, shift, inverse_step, n_threads):
    cells = np.empty(X.shape[0], dtype=np.uint64)
    quantized_row_hashes(X, shift, inverse_step, cells, n_threads)
    return cells


def _geometric_order(X, n_threads):
    """An order of the rows defined by where they lie, not by their exact bits.

    Every feature is cut into cells of 1/ORDER_GRID_RESOLUTION of its standard deviation,
    and rows are sorted by a hash of their cell (a pseudo-random order, so that the first
    rows of any group are a sample of it), then by a hash of their exact values (rows in one
    cell are interchangeable: nearly equal). Sorting by the exact values alone made the
    result hinge on the last bit of the input; with cells, the data in other units
    (``X * c + b``) or with a relative change of 1e-9 give the same order except for the
    rare rows that cross a cell's edge (the chance is the change over the cell's width).
    Any permutation of the rows gives the same order.
    """

    def moments(power):
        mean = np.empty(X.shape[1])
        spread = np.empty(X.shape[1])
        for j in range(X.shape[1]):
            column = X[:, j] / power[j]
            mean[j] = column.mean(dtype=np.float64)
            spread[j] = column.std(dtype=np.float64)
        return mean, spread

    shift, inverse_step = _order_grid(np.abs(X).max(axis=0), moments)
    exact = np.empty(X.shape[0], dtype=np.uint64)
    row_hashes(X, exact, n_threads)
    return np.lexsort((exact, _cell_hashes(X, shift, inverse_step, n_threads)))


class PPP(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Probabilistic Partitive Partitioning: clustering that finds its own number of clusters.

    PPP splits the data top-down. At every node, 2-means proposes splits (from the node's
    principal direction and from a few k-means++ starts seeded by the node's position in the
    tree), and Gaussian mixtures judge them: the node's data are projected on the direction
    that separates the two proposed groups, and the split is kept when a two-Gaussian mixture
    explains the projection better, by BIC, than a single symmetric unimodal cluster (a
    generalised normal, which fits Gaussian, heavy-tailed and flat clusters alike). The
    projection is cross-fitted (each half of the node's rows is projected on a direction
    fitted on the other half), so that the evidence means the same in any dimension. The
    leaves then become the components of a Gaussian mixture, refined by classification EM;
    two neighbouring components that the same test finds to be one cluster are merged (a
    hyperplane high in the tree may have cut a cluster in two). Every sample gets the
    component of largest posterior probability.

    Nothing random enters the result: the rows are processed in an order given by a hash of
    their values, so the same data give the same labels, in the same order, whatever the
    order of the rows.

    Read more in the :ref:`User Guide <cluster>`.

    Parameters
    ----------
    bic_threshold : float, default=2.0
        Evidence a split needs: it is kept when the BIC of one cluster exceeds that of two by
        more than this (2 is "positive evidence" on Kass and Raftery's scale). Two
        neighbouring clusters are merged only when the evidence favours one cluster (the BIC
        difference is at most 0 and the dip test does not reject unimodality). Larger values
        find fewer clusters.
    significance : float, default=1e-3
        Level of Hartigan's dip test on a split's projection: a split is also kept when the
        test rejects a single mode at this level (a node holding many clusters whose
        projection is a comb of narrow modes). Smaller values find fewer clusters.
    covariance_type : {"full", "diag"}, default="full"
        Covariance of each cluster's Gaussian. Full covariances are shrunk towards their
        diagonal by ``n_features / (cluster size + n_features)``, so that small clusters in
        many dimensions still have a usable covariance. ``"full"`` is used up to 64 features,
        and beyond while the samples outnumber the features, up to 256 features; wider data
        get diagonal covariances (``covariance_type_`` says which were used). With more
        features than samples every cluster's full covariance is singular before shrinkage
        and mostly its diagonal after, and it would cost ``n_features**2`` per sample and
        cluster to evaluate (``n_features**3`` to factor).
    min_cluster_size : int, default=10
        Smallest cluster: a split whose smaller side has fewer samples is not made, and a
        cluster that shrinks below it during refinement is dissolved into its neighbours.
    max_clusters : int, default=256
        Largest number of clusters; the largest nodes are split first.
    max_depth : int, default=32
        Deepest level of the split tree.
    reg_covar : float, default=1e-6
        Added to every variance, relative to the unit variance of the standardised data.
        Values below float64's machine epsilon (about 2.2e-16, the rounding error of such a
        variance) act as that epsilon, so that a cluster of duplicated points, or one that is
        constant along a feature, still has an invertible covariance with ``reg_covar=0``.
    standardize : bool, default=True
        Scale every feature to unit variance before clustering. The parameters and
        distances reported are in the input space either way.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of every training sample; equal to ``predict`` on the training data (a lazy
        Dask array after a fit on a Dask collection).
    n_samples_fit_sample_ : int
        Only after a fit on a Dask collection: the number of its rows the model was fitted
        on.
    n_clusters_ : int
        Number of clusters found.
    weights_ : ndarray of shape (n_clusters,)
        Mixing weight of every cluster's Gaussian.
    means_ : ndarray of shape (n_clusters, n_features)
        Mean of every cluster's Gaussian, in the input space; always finite, within the
        range of the training data.
    covariances_ : ndarray
        Covariance of every cluster's Gaussian, in the input space: shape
        (n_clusters, n_features, n_features) for ``"full"``, (n_clusters, n_features) for
        ``"diag"`` (see ``covariance_type_``). Data of magnitude near float64's largest
        values (about 1e154 and beyond) can have covariances beyond its range: those entries
        are ``inf`` (with their sign), never NaN; ``predict``, ``predict_proba`` and
        ``transform`` work in the standardised space and stay exact.
    precisions_cholesky_ : ndarray
        Cholesky factors of the precision matrices, as in
        :class:`sklearn.mixture.GaussianMixture` (upper triangular ``U`` with
        ``precision = U @ U.T`` for ``"full"``, the square roots of the precisions for
        ``"diag"``).
    covariance_type_ : {"full", "diag"}
        The covariance type used: ``covariance_type``, except ``"diag"`` for data too wide
        for full covariances (see ``covariance_type``).
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The same as ``means_``, under :class:`~sklearn.cluster.KMeans`'s name.
    split_tree_ : dict of ndarray
        One entry per node of the split tree, parents before children (``pandas.DataFrame``
        accepts it): ``node``, ``parent`` (-1 for the root), ``depth``, ``size`` (samples),
        ``test_size`` (samples the split test used), ``delta_bic`` (the evidence for the
        chosen split), ``dip_p_value`` (the dip test's p-value on the same projection),
        ``n_proposals`` (distinct 2-means partitions compared), ``decision``
        (``"split"``, or why the node is a leaf: ``"one cluster"``, ``"too small"``,
        ``"child too small"``, ``"identical rows"``,
        ``"max_clusters reached"``, ``"max_depth reached"``), ``lookahead`` (True where no
        proposal of the node passed the test but a half of the node has several modes by the
        dip test, so the node was split by its best proposal), ``left`` and ``right`` (child
        node ids, -1 for a leaf) and ``cluster`` (for a leaf, the cluster most of its samples
        ended in; -1 for an internal node). Tests that were not run have NaN.
    merges_ : dict of ndarray
        The merges of neighbouring clusters, in order: ``round``, ``cluster_a`` and
        ``cluster_b`` (numbered as in that round) and ``delta_bic`` of their union's test.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    sklearn.cluster.KMeans : Needs the number of clusters; depends on its initialisation.
    sklearn.cluster.BisectingKMeans : The same divisive scheme with a given number of clusters.
    sklearn.mixture.GaussianMixture : Choosing k by BIC needs one fit per candidate k.
    sklearn.cluster.HDBSCAN : Density-based; finds clusters of any shape, labels noise.

    Notes
    -----
    PPP finds convex, roughly elliptical clusters. Clusters of other shapes (rings, moons,
    long curved bands) are cut into convex pieces: use :class:`sklearn.cluster.HDBSCAN` for
    them. Two clusters that overlap so much that their union looks like one symmetric
    unimodal cluster are one cluster for PPP.

    The evidence of a split is ``2 (log L2 - log L1) - 2 log n`` on its cross-fitted
    projection of ``n`` values, where ``L2`` is the likelihood of a two-Gaussian mixture (5
    parameters) and ``L1`` that of the best generalised normal (3 parameters); below 512 rows
    it is the median over three cross-fitting halvings. At most 4096 rows of a node (its
    first rows in the geometric order below) enter the test, and Lloyd's iterations run on
    at most 65 536 before every row of the node is assigned; the mixture is refined on 32 768
    to 131 072 rows (32 per leaf and feature) before every row is assigned to it. This is
    PPP's reduction of the input space: the cost of a fit grows linearly with the number of
    samples. Nodes of the tree, and the merge tests of neighbouring clusters, run
    concurrently on the threads the OpenMP runtime allows.

    When no proposal of a node passes the test, the node's halves are tested too (a
    one-level look-ahead, with the dip test only): several clusters side by side, such as a
    block of a grid, project on every direction to one flat mode while their halves show
    several modes.

    The rows are processed in a geometric order: a hash of each row's cell in a grid of
    1/1024 standard deviation per feature. The labels are therefore the same, in the same
    order, for any order of the rows, and the same (up to the rare row near a cell's edge)
    for the data in other units (``X * c + b``, ``c > 0``) or with its last digits changed.

    ``predict``, ``predict_proba`` and ``transform`` accept Dask arrays and DataFrames (with
    the optional ``dask`` extra) and return lazy Dask arrays with the same row chunks, equal
    to the in-memory result. ``fit`` on a Dask collection reads the data through reductions
    and a sample of its rows chosen by their values (see ``fit``), never gathering it.
    float32 input gives float32 ``predict_proba``, ``transform`` and
    ``cluster_centers_``.

    References
    ----------
    .. [1] M. Sultan, "Probabilistic Partitive Partitioning (PPP)", arXiv:2003.04372, 2020.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from skselect.cluster import PPP
    >>> X, _ = make_blobs(n_samples=600, centers=4, n_features=20, random_state=0)
    >>> ppp = PPP().fit(X)
    >>> ppp.n_clusters_
    4
    >>> ppp.predict(X[:3]).tolist() == ppp.labels_[:3].tolist()
    True
    """

    _parameter_constraints: dict = {
        "bic_threshold": [Interval(Real, None, None, closed="neither")],
        "significance": [Interval(Real, 0, 1, closed="neither")],
        "covariance_type": [StrOptions({"full", "diag"})],
        "min_cluster_size": [Interval(Integral, 2, None, closed="left")],
        "max_clusters": [Interval(Integral, 1, None, closed="left")],
        "max_depth": [Interval(Integral, 0, None, closed="left")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "standardize": ["boolean"],
    }

    def __init__(
        self,
        *,
        bic_threshold=2.0,
        significance=1e-3,
        covariance_type="full",
        min_cluster_size=10,
        max_clusters=256,
        max_depth=32,
        reg_covar=1e-6,
        standardize=True,
    ):
        self.bic_threshold = bic_threshold
        self.significance = significance
        self.covariance_type = covariance_type
        self.min_cluster_size = min_cluster_size
        self.max_clusters = max_clusters
        self.max_depth = max_depth
        self.reg_covar = reg_covar
        self.standardize = standardize

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the split tree and the mixture, and label the training samples.

        Parameters
        ----------
        X : {array-like, dask array, dask DataFrame} of shape (n_samples, n_features)
            Training data; at least two samples. Not modified. A Dask collection is not
            gathered: the model is fitted on about 262 144 of its rows, those first in the
            geometric order of the rows (the same rows whatever the partitioning), and
            ``labels_`` is then a lazy Dask array.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : PPP
            Fitted estimator.

        Examples
        --------
        >>> from sklearn.datasets import make_blobs
        >>> from skselect.cluster import PPP
        >>> X, _ = make_blobs(n_samples=300, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
        >>> PPP().fit(X).n_clusters_
        3
        """
        if is_dask_collection(X):
            return dask_implementation("ppp_fit_dask")(self, X)
        # Finite values near the dtype's largest overflow inside the finiteness check's sum.
        with np.errstate(over="ignore", invalid="ignore"):
            X = validate_data(
                self, X, dtype=[np.float64, np.float32], order="C", ensure_min_samples=2
            )
        n_samples, n_features = X.shape
        n_threads = _kernel_n_threads(n_samples * n_features)

        order = _geometric_order(X, n_threads)
        rank_of_row = np.empty(n_samples, dtype=np.intp)
        rank_of_row[order] = np.arange(n_samples)

        Xw = X[order]
        self._set_scaling(Xw)
        self._standardise_in_place(Xw)

        # A copy: the tree partitions Xw in place, and these rows must stay in the geometric order.
        refine_rows = Xw[: min(n_samples, REFINE_SAMPLE_MAX)].copy()
        tree_config = TreeConfig(
            bic_threshold=self.bic_threshold,
            significance=self.significance,
            min_cluster_size=self.min_cluster_size,
            max_clusters=self.max_clusters,
            max_depth=self.max_depth,
            n_threads=n_threads,
        )
        tree = grow_tree(Xw, order, tree_config)
        leaves = tree.leaves()
        leaf_of_working_row = np.empty(n_samples, dtype=np.intp)
        for index, leaf in enumerate(leaves):
            leaf_of_working_row[tree.start[leaf] : tree.end[leaf]] = index
        leaf_by_rank = np.empty(n_samples, dtype=np.intp)
        leaf_by_rank[rank_of_row[order]] = leaf_of_working_row
        n_leaves = len(leaves)
        n_refine = min(
            refine_rows.shape[0],
            max(REFINE_SAMPLE_MIN, REFINE_ROWS_PER_PARAMETER * (n_features + 1) * n_leaves),
        )
        refine_rows = refine_rows[:n_refine]
        sample_labels = np.ascontiguousarray(leaf_by_rank[:n_refine])
        del leaf_by_rank

        mixture_config = MixtureConfig(
            bic_threshold=self.bic_threshold,
            significance=self.significance,
            min_cluster_size=self.min_cluster_size,
            covariance_type=self.covariance_type,
            reg=self.reg_covar,
            # A refinement pass evaluates every row against every component.
            n_threads=_kernel_n_threads(n_refine * n_leaves * n_features),
        )
        _, mixture, merges = merge_and_refine(refine_rows, sample_labels, n_leaves, mixture_config)
        self._mixture = mixture
        working_labels, _, _ = assign(
            Xw, mixture, _kernel_n_threads(n_samples * mixture.means.shape[0] * n_features)
        )
        labels = np.empty(n_samples, dtype=np.intp)
        labels[order] = working_labels

        self.labels_ = labels
        self.n_clusters_ = int(mixture.means.shape[0])
        self._set_public_parameters(mixture, X.dtype)
        self.split_tree_ = _tree_records(tree, working_labels)
        self.merges_ = {
            "round": np.array([m["round"] for m in merges], dtype=np.intp),
            "cluster_a": np.array([m["clusters"][0] for m in merges], dtype=np.intp),
            "cluster_b": np.array([m["clusters"][1] for m in merges], dtype=np.intp),
            "delta_bic": np.array([m["delta_bic"] for m in merges], dtype=np.float64),
        }
        return self

    # ----------------------------------------------------------------- scaling

    def _set_scaling(self, X):
        """Store the affine map to the standardised space, safe for values near overflow.

        Features are first divided by a power of two near their largest magnitude (exact in
        floating point), so that means and variances are computed without overflow. The
        divided data's range is kept: a mean is a convex combination of rows, so it is
        clipped to that range before it is scaled back (exact math, and no overflow).
        """
        magnitude = np.abs(X).max(axis=0).astype(np.float64)
        if not self.standardize:
            magnitude = np.full_like(magnitude, magnitude.max() if magnitude.size else 1.0)
        _, exponent = np.frexp(np.where(magnitude > 0, magnitude, 1.0))
        # Values in the top binade of X's dtype would need 2**maxexp, which overflows to inf
        # (and turns every scaled value to 0); one power less keeps |X / power| below 2.
        exponent = np.minimum(exponent, np.finfo(X.dtype).maxexp - 1)
        self._power = np.ldexp(1.0, exponent)
        scaled = X / self._power.astype(X.dtype)
        self._scaled_min = scaled.min(axis=0, initial=np.inf).astype(np.float64)
        self._scaled_max = scaled.max(axis=0, initial=-np.inf).astype(np.float64)
        self._shift = scaled.mean(axis=0, dtype=np.float64)
        if self.standardize:
            spread = scaled.std(axis=0, dtype=np.float64)
            # A constant feature carries no information; leave it at zero, not NaN.
            spread[spread <= CONSTANT_SPREAD] = 1.0
        else:
            spread = np.ones(X.shape[1])
        self._spread = spread

    def _standardise_in_place(self, X):
        X /= self._power.astype(X.dtype)
        X -= self._shift.astype(X.dtype)
        X /= self._spread.astype(X.dtype)

    def _standardised(self, X):
        Z = np.array(X, order="C", copy=True)
        with np.errstate(over="ignore", invalid="ignore"):
            self._standardise_in_place(Z)
        # Beyond 1e150 standard deviations the squared distances overflow float64.
        if not (np.isfinite(Z).all() and float(np.abs(Z).max(initial=0.0)) < 1e150):
            raise ValueError(
                "X has values so far outside the training data's range (more than 1e150 "
                "of its standard deviations) that their distances to the clusters overflow "
                "float64; rescale X (for example to unit variance) before fitting and "
                "predicting."
            )
        return Z

    @np.errstate(over="ignore", under="ignore")
    def _set_public_parameters(self, mixture, dtype):
        # input = power * (standardised * spread + shift), with power a power of two: the
        # factors are applied one at a time, each finite and nonzero, so that a product can
        # overflow to inf (a covariance beyond float64's range) but never become NaN.
        power, spread = self._power, self._spread
        self.covariance_type_ = mixture.covariance_type
        self.weights_ = mixture.weights.copy()
        scaled_means = np.clip(
            mixture.means * spread + self._shift, self._scaled_min, self._scaled_max
        )
        self.means_ = scaled_means * power
        if mixture.covariance_type == "full":
            covariances = mixture.covariances * np.outer(spread, spread)
            self.covariances_ = covariances * power[:, None] * power[None, :]
            self.precisions_cholesky_ = (
                mixture.precisions_cholesky / spread[None, :, None] / power[None, :, None]
            )
        else:
            self.covariances_ = mixture.covariances * spread**2 * power * power
            self.precisions_cholesky_ = mixture.precisions_cholesky / spread / power
        self.cluster_centers_ = self.means_.astype(dtype)

    # --------------------------------------------------------------- inference

    def _check_input(self, X):
        check_is_fitted(self)
        # sklearn's finiteness check sums X first; near float64's largest values that sum
        # overflows (a warning only: the exact check follows).
        with np.errstate(over="ignore", invalid="ignore"):
            return validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)

    def predict(self, X):
        """Cluster of each sample: the Gaussian of largest posterior probability.

        Parameters
        ----------
        X : {array-like, dask array, dask DataFrame} of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster of each sample; a lazy Dask array, chunked as ``X``'s rows, when ``X``
            is a Dask collection.

        Examples
        --------
        >>> from sklearn.datasets import make_blobs
        >>> from skselect.cluster import PPP
        >>> X, _ = make_blobs(n_samples=300, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
        >>> ppp = PPP().fit(X)
        >>> bool((ppp.predict(X) == ppp.labels_).all())
        True
        """
        if is_dask_collection(X):
            return dask_implementation("ppp_inference_dask")(self, X, "predict")
        return self._predict(self._check_input(X))

    def predict_proba(self, X):
        """Posterior probability of every cluster for each sample.

        Parameters
        ----------
        X : {array-like, dask array, dask DataFrame} of shape (n_samples, n_features)
            New data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
            Rows sum to one; float32 for float32 ``X``, float64 otherwise; a lazy Dask
            array, chunked as ``X``'s rows, when ``X`` is a Dask collection.

        Examples
        --------
        >>> from sklearn.datasets import make_blobs
        >>> from skselect.cluster import PPP
        >>> X, _ = make_blobs(n_samples=300, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
        >>> PPP().fit(X).predict_proba(X[:1]).sum().round(6)
        np.float64(1.0)
        """
        if is_dask_collection(X):
            return dask_implementation("ppp_inference_dask")(self, X, "predict_proba")
        return self._predict_proba(self._check_input(X))

    def transform(self, X):
        """Mahalanobis distance of each sample to every cluster's Gaussian.

        Parameters
        ----------
        X : {array-like, dask array, dask DataFrame} of shape (n_samples, n_features)
            New data.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            ``sqrt((x - mean_k)' precision_k (x - mean_k))`` for every cluster ``k``; the
            output features are named ``ppp0``, ``ppp1``, ... . float32 for float32 ``X``,
            float64 otherwise; a lazy Dask array, chunked as ``X``'s rows, when ``X`` is a
            Dask collection.

        Examples
        --------
        >>> from sklearn.datasets import make_blobs
        >>> from skselect.cluster import PPP
        >>> X, _ = make_blobs(n_samples=300, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
        >>> PPP().fit(X).transform(X[:2]).shape
        (2, 3)
        """
        if is_dask_collection(X):
            return dask_implementation("ppp_inference_dask")(self, X, "transform")
        return self._transform(self._check_input(X))

    # The in-memory computations on validated arrays, shared with the Dask code path
    # (skselect/cluster/_ppp/_dask.py), which validates every block itself.

    def _predict(self, X):
        labels, _, _ = assign(self._standardised(X), self._mixture, _kernel_n_threads(X.size))
        return labels

    def _log_densities(self, X, with_weights):
        Z = self._standardised(X)
        mixture = self._mixture
        offsets = mixture.offsets if with_weights else np.zeros_like(mixture.offsets)
        out = np.empty((Z.shape[0], mixture.means.shape[0]))
        gaussian_log_densities(
            Z,
            mixture.means,
            mixture.factors,
            offsets,
            out,
            mixture.covariance_type == "full",
            _kernel_n_threads(Z.size),
        )
        return out

    def _predict_proba(self, X):
        log_density = self._log_densities(X, with_weights=True)
        log_density -= log_density.max(axis=1, keepdims=True)
        proba = np.exp(log_density)
        proba /= proba.sum(axis=1, keepdims=True)
        # Computed in float64; float32 input gets float32 output.
        return proba.astype(X.dtype, copy=False)

    def _transform(self, X):
        squared = -2.0 * self._log_densities(X, with_weights=False)
        # offsets of zero leave -0.5 * distance**2 plus the constant of the kernel's form.
        return np.sqrt(np.maximum(squared, 0.0)).astype(X.dtype, copy=False)

    @property
    def _n_features_out(self):
        return self.n_clusters_


def _tree_records(tree, working_labels):
    n_nodes = len(tree.start)
    cluster = np.full(n_nodes, -1, dtype=np.intp)
    for node in range(n_nodes):
        if tree.left[node] < 0:
            rows = working_labels[tree.start[node] : tree.end[node]]
            if rows.size:
                cluster[node] = int(np.argmax(np.bincount(rows)))
    return {
        "node": np.arange(n_nodes, dtype=np.intp),
        "parent": np.array(tree.parent, dtype=np.intp),
        "depth": np.array(tree.depth, dtype=np.intp),
        "size": np.array(tree.end, dtype=np.intp) - np.array(tree.start, dtype=np.intp),
        "test_size": np.array(tree.test_size, dtype=np.intp),
        "delta_bic": np.array(tree.delta_bic, dtype=np.float64),
        "dip_p_value": np.array(tree.dip_p_value, dtype=np.float64),
        "n_proposals": np.array(tree.n_proposals, dtype=np.intp),
        "decision": np.array(tree.decision, dtype=object),
        "lookahead": np.array(tree.lookahead, dtype=bool),
        "left": np.array(tree.left, dtype=np.intp),
        "right": np.array(tree.right, dtype=np.intp),
        "cluster": cluster,
    }
