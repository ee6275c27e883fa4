"""A two-worker Dask cluster shared by the Dask tests of one test process."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest


@pytest.fixture(scope="session")
def dask_client():
    distributed = pytest.importorskip(
        "distributed", reason="the Dask tests need the optional dask extra (skselect[dask])"
    )
    pytest.importorskip("dask.array", reason="the Dask tests need dask[array] (skselect[dask])")
    # Dask seeds numpy's global generator as it starts; restore it so that the autouse guard
    # checks only skselect's own randomness.
    state = np.random.get_state()  # noqa: NPY002
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    np.random.set_state(state)  # noqa: NPY002
    yield client
    state = np.random.get_state()  # noqa: NPY002
    client.close()
    cluster.close()
    np.random.set_state(state)  # noqa: NPY002
