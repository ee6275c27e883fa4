"""What every shipped-data loader shares."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause


def _to_pandas(data, target, feature_names, target_name):
    """``(data, target, frame)`` as pandas objects, as scikit-learn's loaders give with
    ``as_frame=True``: a DataFrame of the features, a Series of the target, and both together.
    """
    import pandas as pd

    feature_names = list(feature_names)
    frame = pd.DataFrame(data, columns=feature_names)
    frame[target_name] = target
    return frame[feature_names], frame[target_name], frame
