"""Every loader rejects arguments of the wrong type with an error naming the argument."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest

from skselect import datasets


@pytest.mark.parametrize("loader", datasets.__all__)
@pytest.mark.parametrize("argument", ["return_X_y", "as_frame"])
@pytest.mark.parametrize("value", ["yes", float("nan"), 2])
def test_boolean_arguments_are_checked(loader, argument, value):
    with pytest.raises(ValueError, match=f"'{argument}' parameter of {loader}"):
        getattr(datasets, loader)(**{argument: value})


@pytest.mark.parametrize("color", [None, 3])
def test_wine_quality_color_type(color):
    with pytest.raises(ValueError, match="'color' parameter of load_wine_quality"):
        datasets.load_wine_quality(color=color)
