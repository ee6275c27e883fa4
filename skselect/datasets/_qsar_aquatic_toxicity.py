"""Loader for the QSAR aquatic toxicity data (Daphnia magna LC50), shipped with skselect."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from skselect.datasets._base import _to_pandas

FEATURE_NAMES = ["TPSA", "SAacc", "H050", "MLOGP", "RDCHI", "GATS1p", "nN", "C040"]

DESCR = """\
QSAR aquatic toxicity
---------------------

Acute toxicity of 546 chemicals towards Daphnia magna: LC50 after 48 hours, in
-log(mol/L) (larger means more toxic), with 8 molecular descriptors.

- TPSA: topological polar surface area (Ertl et al.)
- SAacc: van der Waals surface area of hydrogen-bond acceptor atoms
- H050: number of hydrogen atoms bonded to heteroatoms
- MLOGP: Moriguchi octanol-water partition coefficient
- RDCHI: topological index of molecular size and branching
- GATS1p: Geary autocorrelation of lag 1 weighted by polarisability
- nN: number of nitrogen atoms
- C040: number of R-C(=X)-X / R-C#X / X=C=X carbon atoms

Source: UCI Machine Learning Repository, "QSAR aquatic toxicity" (dataset 505), donated by
the Milano Chemometrics and QSAR Research Group (Università degli Studi di Milano-Bicocca).
Licence: Creative Commons Attribution 4.0 International (CC BY 4.0). The file shipped here
is the repository's semicolon-separated table, unchanged (546 rows, 9 columns, no header),
as redistributed in the public GitHub repository mathiasmellemstuen/STK-IN4300-Mandatory-2
(commit 635942929efd9f4d9ef4b7c6cc9f6b526a336f31, file qsar_aquatic_toxicity.csv,
MD5 e425e57cdebc100f61732ac01c529e50).

Reference: M. Cassotti, D. Ballabio, V. Consonni, A. Mauri, I. V. Tetko and R. Todeschini
(2014). Prediction of acute aquatic toxicity toward Daphnia magna by using the GA-kNN
method. Alternatives to Laboratory Animals 42(1), 31-41.
"""


@validate_params(
    {"return_X_y": ["boolean"], "as_frame": ["boolean"]}, prefer_skip_nested_validation=True
)
def load_qsar_aquatic_toxicity(*, return_X_y=False, as_frame=False):
    """Load the QSAR aquatic toxicity regression data (546 chemicals, 8 descriptors).

    The target is the acute toxicity LC50 towards Daphnia magna in -log(mol/L): larger
    values are more toxic. No network access is needed: the data ship with skselect.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame and ``target`` a Series (pandas required).

    Returns
    -------
    data : Bunch
        ``data`` (546, 8), ``target`` (546,), ``feature_names``, ``target_names``, ``frame``
        (a DataFrame with features and target when ``as_frame=True``, else None) and
        ``DESCR`` (source, licence and reference).
    (data, target) : tuple
        If ``return_X_y`` is True.

    Notes
    -----
    Source: UCI Machine Learning Repository, dataset 505, licence CC BY 4.0; see ``DESCR``
    for the provenance of the shipped file. Cite Cassotti et al. (2014), ATLA 42(1), 31-41.

    Examples
    --------
    >>> from skselect.datasets import load_qsar_aquatic_toxicity
    >>> X, y = load_qsar_aquatic_toxicity(return_X_y=True)
    >>> X.shape, y.shape
    ((546, 8), (546,))
    """
    path = resources.files("skselect.datasets").joinpath("data", "qsar_aquatic_toxicity.csv")
    with resources.as_file(path) as csv_path:
        table = np.loadtxt(csv_path, delimiter=";")
    data, target = table[:, :8], table[:, 8]
    frame = None
    if as_frame:
        data, target, frame = _to_pandas(data, target, FEATURE_NAMES, "LC50")
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=list(FEATURE_NAMES),
        target_names=["LC50"],
        frame=frame,
        DESCR=DESCR,
    )
