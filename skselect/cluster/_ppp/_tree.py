"""PPP's split tree: divisive 2-means splits kept while the split test finds two modes.

The working copy of the data is kept in the geometric order of the rows (see
``_estimator._geometric_order``) and every node is a contiguous slice of it; a split
partitions its slice stably (left child first), so the rows of every node stay in that order
and a node's first rows are a sample of it that does not depend on the input's row order.
Nothing is random beyond generators seeded from a node's position in the tree.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import heapq
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np

from skselect.cluster._ppp._fast import half_space_labels, lloyd_2means
from skselect.cluster._ppp._split import TEST_SAMPLE_SIZE, propose, split_evidence, two_means
from skselect.utils._parallel import _kernel_n_threads

# Rows of a node that Lloyd's iterations run on before the whole node is cut by the
# resulting hyperplane: the first rows in the geometric order. Beyond this the centres move by less
# than their sampling error, and every row of the node is still assigned.
LLOYD_SAMPLE_SIZE = 1 << 16
# Look-ahead children smaller than this carry too little evidence to overrule their parent.
_MIN_LOOKAHEAD_SIZE = 64

# Why a node is a leaf, or "split".
SPLIT = "split"
ONE_CLUSTER = "one cluster"
TOO_SMALL = "too small"
CHILD_TOO_SMALL = "child too small"
NO_SPLIT = "identical rows"
MAX_CLUSTERS = "max_clusters reached"
MAX_DEPTH = "max_depth reached"


@dataclass(frozen=True)
class TreeConfig:
    bic_threshold: float
    significance: float
    min_cluster_size: int
    max_clusters: int
    max_depth: int
    n_threads: int
    lookahead: int = 1


class SplitTree:
    """The nodes of a fitted tree, one entry per node in creation order (parents first)."""

    def __init__(self):
        self.start, self.end, self.parent, self.depth = [], [], [], []
        self.delta_bic, self.dip_p_value, self.test_size, self.n_proposals = [], [], [], []
        self.decision, self.left, self.right, self.seed = [], [], [], []
        self.lookahead = []

    def add(self, start, end, parent, depth, seed):
        self.start.append(start)
        self.end.append(end)
        self.parent.append(parent)
        self.depth.append(depth)
        self.seed.append(seed)
        self.delta_bic.append(np.nan)
        self.dip_p_value.append(np.nan)
        self.test_size.append(0)
        self.n_proposals.append(0)
        self.decision.append("")
        self.left.append(-1)
        self.right.append(-1)
        self.lookahead.append(False)
        return len(self.start) - 1

    def leaves(self):
        """Leaf ids in depth-first order, left child first."""
        out, stack = [], [0]
        while stack:
            node = stack.pop()
            if self.left[node] < 0:
                out.append(node)
            else:
                stack.extend((self.right[node], self.left[node]))
        return out


def _seed(parent_seed, side):
    # A node's generator seed is a function of its path from the root only.
    return (parent_seed * 2 + side + 1) % (1 << 62)


def _evaluate(Xw, tree, node, *, config, n_threads=1):
    """Decide whether ``node`` splits; returns the rows' sides (1 = right) or None."""
    start, end = tree.start[node], tree.end[node]
    size = end - start
    if size < 2 * config.min_cluster_size:
        tree.decision[node] = TOO_SMALL
        return None
    if tree.depth[node] >= config.max_depth:
        tree.decision[node] = MAX_DEPTH
        return None
    sample = Xw[start : start + min(size, TEST_SAMPLE_SIZE)]
    # Iterative kernels on a test sample open one parallel region per Lloyd iteration: on a
    # few thousand rows the synchronisation costs more than it saves (5x slower measured on a
    # busy 2-core machine), so they run on one thread; passes over whole nodes use threads.
    proposals = propose(sample, tree.seed[node], 1)
    if not proposals:
        tree.decision[node] = NO_SPLIT
        return None
    # The mixtures judge the 2-means partitions in order of SSE; the first one they find to
    # be two clusters is the split (the node is one cluster if none is).
    tree.test_size[node] = sample.shape[0]
    for index, (centers, _) in enumerate(proposals):
        evidence = split_evidence(sample, centers, 1)
        tree.n_proposals[node] = index + 1
        if index == 0 or evidence.delta_bic > tree.delta_bic[node]:
            tree.delta_bic[node] = evidence.delta_bic
            tree.dip_p_value[node] = evidence.dip_p_value
        if evidence.two_clusters(config.bic_threshold, config.significance):
            tree.delta_bic[node] = evidence.delta_bic
            tree.dip_p_value[node] = evidence.dip_p_value
            break
    else:
        if not _descendant_splits(sample, proposals[0][0], tree.seed[node], config):
            tree.decision[node] = ONE_CLUSTER
            return None
        # A descendant is two clusters: the node holds several, whose projection is flat
        # (a block of a grid seen along a generic direction). Split it by its best proposal.
        centers = proposals[0][0]
        tree.n_proposals[node] = len(proposals)
        tree.lookahead[node] = True

    if size > sample.shape[0]:
        lloyd_rows = Xw[start : start + min(size, LLOYD_SAMPLE_SIZE)]
        centers = np.array(centers, order="C")
        scratch = np.empty(lloyd_rows.shape[0], dtype=np.int8)
        lloyd_threads = min(n_threads, _kernel_n_threads(lloyd_rows.size // 8))
        lloyd_2means(lloyd_rows, centers, scratch, 100, lloyd_threads)
    direction = np.ascontiguousarray(centers[1] - centers[0])
    threshold = 0.5 * float(centers[1] @ centers[1] - centers[0] @ centers[0])
    sides = np.empty(size, dtype=np.int8)
    half_space_labels(Xw[start:end], direction, threshold, sides, n_threads)
    n_right = int(np.count_nonzero(sides))
    if min(n_right, size - n_right) < config.min_cluster_size:
        tree.decision[node] = CHILD_TOO_SMALL
        return None
    # Children in a canonical order: the one whose centre comes first lexicographically left.
    if tuple(centers[1]) < tuple(centers[0]):
        sides = 1 - sides
    tree.decision[node] = SPLIT
    return sides


def _descendant_splits(sample, centers, seed, config, depth=None):
    """Whether a descendant of the 2-means split of ``sample`` from ``centers``, at most
    ``config.lookahead`` levels down, has several modes by the dip test.

    Several clusters side by side in a node (a block of a grid) can project on every
    proposed direction to one flat, symmetric mode, while the halves of the node, holding
    fewer clusters each, project to a comb of modes. Only each descendant's best proposal is
    tested. One level was enough on the development half of the benchmark battery and on
    grids of up to 100 clusters; deeper look-ahead changed nothing there and costs more.
    """
    depth = config.lookahead if depth is None else depth
    if depth <= 0:
        return False
    result = two_means(sample, centers, 1)
    if result is None:
        return False
    labels = result[1]
    for side in (0, 1):
        child = np.ascontiguousarray(sample[labels == side])
        if child.shape[0] < max(4 * config.min_cluster_size, _MIN_LOOKAHEAD_SIZE):
            continue
        child_seed = _seed(seed, side)
        proposals = propose(child, child_seed, 1)
        if not proposals:
            continue
        best = proposals[0][0]
        # The dip test (Bonferroni over the two children) reads the comb of several clusters;
        # the BIC reading is left out here, since halves of one cluster are skewed by their cut.
        evidence = split_evidence(child, best, 1)
        if evidence.dip_p_value < config.significance / 2:
            return True
        if _descendant_splits(child, best, child_seed, config, depth - 1):
            return True
    return False


def grow_tree(Xw, order, config):
    """Grow the tree on ``Xw`` (rows in the geometric order), partitioning ``Xw`` and
    ``order`` in place.

    The tree grows level by level: the nodes waiting are tested together, largest first, and
    when ``max_clusters`` stops the growth the largest of them have been split first.
    """
    tree = SplitTree()
    tree.add(0, Xw.shape[0], -1, 0, 0)
    heap = [(-Xw.shape[0], 0)]
    n_leaves = 1
    with ThreadPoolExecutor(max_workers=config.n_threads) as executor:
        while heap:
            # The nodes waiting are disjoint slices of Xw: they are tested concurrently (the
            # kernels release the GIL), largest first, each on one kernel thread unless it is
            # alone. A node's result does not depend on the others', so neither the tree nor
            # the labels depend on the number of threads.
            if n_leaves >= config.max_clusters:
                break
            batch = [heapq.heappop(heap)[1] for _ in range(len(heap))]
            kernel_threads = config.n_threads if len(batch) == 1 else 1
            evaluate = partial(_evaluate, Xw, tree, config=config, n_threads=kernel_threads)
            outcomes = executor.map(evaluate, batch)
            for node, sides in zip(batch, outcomes):
                if sides is None:
                    continue
                if n_leaves >= config.max_clusters:
                    tree.decision[node] = MAX_CLUSTERS
                    continue
                start, end = tree.start[node], tree.end[node]
                permutation = np.argsort(sides, kind="stable")
                Xw[start:end] = Xw[start:end][permutation]
                order[start:end] = order[start:end][permutation]
                middle = start + int(np.count_nonzero(sides == 0))
                depth, seed = tree.depth[node] + 1, tree.seed[node]
                left = tree.add(start, middle, node, depth, _seed(seed, 0))
                right = tree.add(middle, end, node, depth, _seed(seed, 1))
                tree.left[node], tree.right[node] = left, right
                n_leaves += 1
                heapq.heappush(heap, (-(middle - start), left))
                heapq.heappush(heap, (-(end - middle), right))
        for _, node in heap:
            tree.decision[node] = MAX_CLUSTERS
    return tree
